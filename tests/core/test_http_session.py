"""Outgoing HTTP: pooled connections per process and thread, and no cookies kept."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.http import http_session


class _Server:
    """Records which client connection (address, port) each request came on."""

    def __init__(self):
        self.connections: list[tuple] = []
        self.cookies: list[str | None] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.connections.append(self.client_address)
                outer.cookies.append(self.headers.get("Cookie"))
                self.send_response(200)
                self.send_header("Set-Cookie", "gateway_session=org-a-secret; Path=/")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/hook"

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    with _Server() as running:
        yield running


def test_calls_to_one_host_reuse_the_connection(server):
    for _ in range(3):
        assert http_session().post(server.url, data=b"x", timeout=5).status_code == 200
    assert len(set(server.connections)) == 1


def test_a_cookie_set_by_a_gateway_is_never_sent_back(server):
    http_session().post(server.url, data=b"x", timeout=5)
    http_session().post(server.url, data=b"x", timeout=5)
    assert server.cookies == [None, None]
    assert len(http_session().cookies) == 0


def test_each_thread_has_its_own_session():
    sessions = []
    thread = threading.Thread(target=lambda: sessions.append(http_session()))
    thread.start()
    thread.join(timeout=5)
    assert sessions[0] is not http_session()
    assert http_session() is http_session()
