"""A local HTTP server in a thread for the fetch tests (audits, transparency pages, Overpass).

The private-address guard allows loopback only on the ports in
``AUDIT_FETCH_ALLOW_LOOPBACK_PORTS``; the ``local_server`` fixture puts its own port there, so a
redirect to any other local service is refused exactly as in production."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class LocalServer:
    """Serves ``files`` {path: bytes} with an ETag; honours If-None-Match; counts requests.

    ``answers`` {path: (status, body)} are sent as they are (a WAF's 403 with its page);
    ``redirects`` and ``failures`` (statuses before the file) as the names say; ``/drip.csv``
    trickles for 2 s and ``/slow.csv`` waits 2 s before answering."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.redirects: dict[str, str] = {}
        # path -> statuses answered before the file (a server having a bad minute)
        self.failures: dict[str, list[int]] = {}
        self.answers: dict[str, tuple[int, bytes]] = {}
        self.content_type = "text/csv"
        self.requests: list[dict[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append({"path": self.path, **dict(self.headers.items())})
                path = self.path.split("?")[0]
                if path in server.answers:
                    status, answer = server.answers[path]
                    self.send_response(status)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                    return
                if path in server.redirects:
                    self.send_response(302)
                    self.send_header("Location", server.redirects[path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if server.failures.get(path):
                    self.send_response(server.failures[path].pop(0))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if self.path == "/drip.csv":
                    self.send_response(200)
                    self.end_headers()
                    try:
                        for _ in range(20):
                            self.wfile.write(b"x\n")
                            self.wfile.flush()
                            time.sleep(0.1)
                    except (BrokenPipeError, ConnectionResetError):
                        pass  # the fetch gave up, as it should
                    return
                if self.path == "/slow.csv":
                    time.sleep(2)
                    self.send_response(200)
                    self.end_headers()
                    return
                body = server.files.get(path)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", server.content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", "Mon, 01 Dec 2025 10:00:00 GMT")
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def local_server(settings):
    settings.AUDIT_FETCH_TIMEOUT_SECONDS = 0.5
    settings.AUDIT_FETCH_BACKOFF_SECONDS = 0
    server = LocalServer()
    settings.AUDIT_FETCH_ALLOW_LOOPBACK_PORTS = [server.port]
    server.thread.start()
    yield server
    server.stop()


@pytest.fixture
def internal_server():
    """Another local service (think Redis or a metadata endpoint) the guard does not allow."""
    other = LocalServer()
    other.files["/secret"] = b"internal only"
    other.thread.start()
    yield other
    other.stop()
