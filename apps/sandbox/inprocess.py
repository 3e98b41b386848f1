"""An httpx transport that answers through Django in this process (django.test.Client), for
commands that talk to the sandbox while no server runs (`seed_demo` under `make run`)."""

import httpx
from django.test import Client


class InProcessTransport(httpx.BaseTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        client = Client(HTTP_HOST=request.url.netloc.decode())
        path = request.url.raw_path.decode()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        content_type = headers.pop("content-type", "application/octet-stream")
        response = client.generic(
            request.method, path, data=request.read(), content_type=content_type, headers=headers,
            secure=request.url.scheme == "https",
        )  # fmt: skip
        return httpx.Response(response.status_code, headers=dict(response.items()), content=response.content)
