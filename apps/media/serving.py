"""Sending a stored file: byte ranges (video seeking) from local storage, a presigned redirect from S3."""

import re
from urllib.parse import quote

from django.http import FileResponse, HttpResponse, HttpResponseRedirect, StreamingHttpResponse

CHUNK = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def content_disposition(disposition: str, filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "")
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def is_remote(storage) -> bool:
    """S3-like storages hand out presigned URLs; the local file system is served by us."""
    return hasattr(storage, "bucket_name")


def presigned_redirect(storage, name: str, *, content_type: str, disposition: str, filename: str) -> HttpResponse:
    url = storage.url(
        name,
        parameters={
            "ResponseContentDisposition": content_disposition(disposition, filename),
            "ResponseContentType": content_type,
        },
    )
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = "private, no-store"
    return response


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) byte of a single `bytes=` range, or None when the header is not one we honour."""
    match = _RANGE.match(header.strip())
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":  # the last N bytes
        length = int(last)
        return (max(size - length, 0), size - 1) if length else None
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    return (start, end) if start <= end else None


def _chunks(handle, remaining: int):
    try:
        while remaining > 0:
            data = handle.read(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        handle.close()


def stream_file(request, storage, name: str, *, content_type: str, disposition: str, filename: str) -> HttpResponse:
    size = storage.size(name)
    header = request.headers.get("Range", "")
    byte_range = _byte_range(header, size) if header else None
    if header and byte_range is None or byte_range and byte_range[0] >= size:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    handle = storage.open(name, "rb")
    if byte_range is None:
        response = FileResponse(handle, content_type=content_type)
        response["Content-Length"] = str(size)
    else:
        first, last = byte_range
        handle.seek(first)
        response = StreamingHttpResponse(_chunks(handle, last - first + 1), status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
        response["Content-Length"] = str(last - first + 1)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = content_disposition(disposition, filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
