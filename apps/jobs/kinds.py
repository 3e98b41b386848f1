"""Readable names of job kinds (a JobRun's `kind` is its actor's name): each app registers its own
at startup (`register({"actor_name": _("Label")})` in its AppConfig.ready), pages show `run.kind_label`."""

_LABELS: dict = {}


def register(labels: dict) -> None:
    _LABELS.update(labels)


def registered() -> dict:
    return dict(_LABELS)


def label(kind: str) -> str:
    # Every actor registers its label (tests/test_locale_polish.py checks); a run of a removed actor keeps its name.
    found = _LABELS.get(kind)
    return str(found) if found is not None else kind
