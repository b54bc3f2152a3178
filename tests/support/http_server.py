"""A real HTTP server on 127.0.0.1 for the outside services we cannot reach.

Tests describe the contract (paths, headers, bodies, status codes) with
handlers; the real ``requests``/``openai`` client code talks to it over TCP.

    with FakeHTTPServer() as server:
        server.route("POST", "/message/sendText/demo", lambda req: (201, {"key": {...}}))
        ... server.url ...
        assert server.requests[0].json["number"] == "5511..."
"""

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes

    @property
    def json(self):
        return json.loads(self.body or b"null")


Reply = tuple[int, object] | tuple[int, object, dict]
Handler = Callable[[RecordedRequest], Reply]


@dataclass
class _Route:
    method: str
    path: str
    handler: Handler
    prefix: bool = False


@dataclass
class FakeHTTPServer:
    routes: list[_Route] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)

    def __post_init__(self):
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # The body is written after the headers: with Nagle's algorithm
            # it would wait for the client's delayed ACK, 40 ms a request.
            disable_nagle_algorithm = True

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = RecordedRequest(
                    method=self.command,
                    path=parts.path,
                    query={k: v[0] for k, v in parse_qs(parts.query).items()},
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                with server._lock:
                    server.requests.append(request)
                route = server._match(request)
                if route is None:
                    reply = (404, {"error": "no route", "path": request.path})
                else:
                    try:
                        reply = route.handler(request)
                    except Exception as exc:  # surface handler bugs as 500s
                        reply = (500, {"error": repr(exc)})
                status, payload, *rest = reply
                headers = rest[0] if rest else {}
                if isinstance(payload, bytes | bytearray):
                    data = bytes(payload)
                    content_type = headers.pop("Content-Type", "application/octet-stream")
                else:
                    data = json.dumps(payload).encode()
                    content_type = headers.pop("Content-Type", "application/json")
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        # shutdown() waits for the loop to look again: every half second by
        # default, half a second added to every test that stops a server.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, method: str, path: str, handler: Handler, *, prefix: bool = False) -> None:
        self.routes.append(_Route(method.upper(), path, handler, prefix))

    def _match(self, request: RecordedRequest) -> _Route | None:
        for route in reversed(self.routes):
            if route.method != request.method:
                continue
            if route.path == request.path or (route.prefix and request.path.startswith(route.path)):
                return route
        return None

    def requests_to(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    def start(self) -> "FakeHTTPServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "FakeHTTPServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def sequence(*replies: Reply) -> Handler:
    """A handler that answers with each reply in turn, repeating the last."""
    remaining = list(replies)
    lock = threading.Lock()

    def handler(request: RecordedRequest) -> Reply:
        with lock:
            return remaining.pop(0) if len(remaining) > 1 else remaining[0]

    return handler
