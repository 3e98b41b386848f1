"""Secrets generated once into var/ so development needs no configuration."""

import os
import secrets
from pathlib import Path


def development_secret(var_dir: Path, name: str) -> str:
    path = var_dir / "secrets" / name
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = _new_fernet_key() if name.startswith("fernet") else secrets.token_urlsafe(50)
    # Written aside, then linked into place: when two processes start at once the
    # first link wins and both read the same complete value.
    draft = path.with_name(f".{name}.{os.getpid()}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text().strip()


def _new_fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()
