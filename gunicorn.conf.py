"""gunicorn settings read by the Procfile: no `Server` header, so responses do not name the server software."""

from gunicorn.http import wsgi


class _ResponseWithoutServerHeader(wsgi.Response):
    def default_headers(self):
        return [line for line in super().default_headers() if not line.lower().startswith("server:")]


# gunicorn builds every response through `wsgi.Response` (looked up in that module at request time).
wsgi.Response = _ResponseWithoutServerHeader
