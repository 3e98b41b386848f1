from datetime import UTC, datetime, timedelta

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from apps.core import clock
from apps.core.reasons import coerce, define, render


def test_frozen_clock_stands_still_and_advances_on_demand():
    at = datetime(2026, 4, 1, 2, 0, tzinfo=UTC)
    with clock.freeze(at):
        assert clock.now() == at
        clock.sleep(30)
        assert clock.now() == at + timedelta(seconds=30)
        clock.advance(timedelta(hours=1))
        assert clock.now() == at + timedelta(hours=1, seconds=30)
    assert abs((clock.now() - datetime.now(UTC)).total_seconds()) < 5


def test_scaled_clock_runs_faster_than_real_time():
    clock.set_scale(100.0)
    first = clock.now()
    import time

    time.sleep(0.05)
    assert (clock.now() - first).total_seconds() >= 4


def test_reason_renders_in_viewer_language_with_params():
    code = define("test.too_close", _("The hook is too close to %(match)s."))
    stored = code.reason(match="X").as_dict()
    assert render(stored) == "The hook is too close to X."
    assert coerce(stored).params == {"match": "X"}
    with translation.override("de"):
        # No German entry for a test-only string: gettext falls back to the source text.
        assert render(stored) == "The hook is too close to X."
    assert "unknown.code" in render({"code": "unknown.code", "params": {}})
