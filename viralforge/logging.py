"""Log records as one JSON object per line."""

import json
import logging
from datetime import UTC, datetime

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


def _request_id_of(record: logging.LogRecord) -> str | None:
    # Django logs 4xx/5xx responses after the middleware has returned; the request still carries its id.
    return getattr(record, "request_id", None) or getattr(getattr(record, "request", None), "request_id", None)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": _request_id_of(record),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                payload[key] = value
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str, ensure_ascii=False)


class ForbiddenInOneLine(logging.Filter):
    """A 403 is an expected refusal, not an error: Django logs it with the PermissionDenied traceback;
    keep the one line (method, path, status) and drop the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
