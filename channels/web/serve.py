"""Serve the demo practice page and the chat widget.

    python -m channels.web.serve --port 8080 --rasa-url http://127.0.0.1:5005

Standard library only, so the demo needs nothing beyond Python. The widget
talks to Rasa directly (REST channel); start Rasa with ``--cors`` naming the
origin this prints.
"""

from __future__ import annotations

import argparse
import html
import mimetypes
import re
import sys
from collections.abc import Sequence
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
DEMO_PAGE = WEB_DIR / "demo" / "index.html"
DEFAULT_RASA_URL = "http://127.0.0.1:5005"


def origin_of(url: str) -> str:
    """The scheme://host:port part of a URL, as browsers compare origins."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) URL: {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


# An area id as pathways/areas/ names its files (lower case, digits, underscores).
AREA_ID = re.compile(r"[a-z][a-z0-9_]{0,63}")


def render_demo_page(rasa_url: str, area: str = "") -> bytes:
    """The demo page with the Rasa address filled into the widget's script tag and, for
    /area/<id>, the area on the chat element (data-area: sent with every message)."""
    if area and not AREA_ID.fullmatch(area):
        raise ValueError(f"not an area id: {area!r}")
    page = DEMO_PAGE.read_text(encoding="utf-8")
    attribute = f' data-area="{html.escape(area, quote=True)}"' if area else ""
    return (page.replace("{{RASA_URL}}", html.escape(rasa_url.rstrip("/"), quote=True))
            .replace("{{AREA_ATTRIBUTE}}", attribute).encode("utf-8"))


def content_security_policy(rasa_url: str) -> str:
    # Nothing may leave the practice except the conversation with our own Rasa server.
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src 'self' {origin_of(rasa_url)}; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'self'"
    )


class DemoHandler(BaseHTTPRequestHandler):
    server_version = "SignpostDemo"
    sys_version = ""

    def __init__(self, *args, rasa_url: str, **kwargs) -> None:
        self.rasa_url = rasa_url
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._respond(include_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(include_body=False)

    def _respond(self, include_body: bool) -> None:
        path = urlsplit(self.path).path
        if path in ("/", "/index.html"):
            self._send(HTTPStatus.OK, render_demo_page(self.rasa_url), "text/html; charset=utf-8", include_body)
            return
        if path.startswith("/area/"):
            area = path[len("/area/"):].strip("/")
            if AREA_ID.fullmatch(area):
                self._send(HTTPStatus.OK, render_demo_page(self.rasa_url, area), "text/html; charset=utf-8",
                           include_body)
                return
        if path == "/favicon.ico":
            self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon", include_body)
            return
        if path == "/healthz":
            self._send(HTTPStatus.OK, b"ok\n", "text/plain; charset=utf-8", include_body)
            return
        static = self._static_file(path)
        if static is None:
            self._send(HTTPStatus.NOT_FOUND, b"Not found\n", "text/plain; charset=utf-8", include_body)
            return
        kind = mimetypes.guess_type(static.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind == "application/javascript":
            kind += "; charset=utf-8"
        self._send(HTTPStatus.OK, static.read_bytes(), kind, include_body)

    @staticmethod
    def _static_file(path: str) -> Path | None:
        # Only plain files directly inside static/: no directory walking.
        if not path.startswith("/static/"):
            return None
        name = path[len("/static/"):]
        if not name or "/" in name or "\\" in name or name.startswith("."):
            return None
        candidate = STATIC_DIR / name
        return candidate if candidate.is_file() else None

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, include_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", content_security_policy(self.rasa_url))
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if include_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        # Request lines only carry static paths (the chat goes to Rasa), but keep the console quiet.
        pass


def make_server(host: str, port: int, rasa_url: str) -> ThreadingHTTPServer:
    """A demo server bound to host:port (port 0 picks a free one)."""
    origin_of(rasa_url)  # fail early on a malformed address
    server = ThreadingHTTPServer((host, port), partial(DemoHandler, rasa_url=rasa_url))
    server.daemon_threads = True
    return server


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the Signpost demo practice page and chat widget.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on (default 8080)")
    parser.add_argument("--rasa-url", default=DEFAULT_RASA_URL,
                        help=f"Rasa server address (default {DEFAULT_RASA_URL})")
    args = parser.parse_args(argv)
    try:
        server = make_server(args.host, args.port, args.rasa_url)
    except ValueError as error:
        print(f"--rasa-url: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"Cannot listen on {args.host}:{args.port}: {error.strerror}", file=sys.stderr)
        return 1
    host, port = server.server_address[:2]
    if isinstance(host, bytes):  # the socket types allow bytes; a TCP server reports its address as text
        host = host.decode()
    shown_host = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    print(f"Signpost demo practice page: http://{shown_host}:{port}/", flush=True)
    print(f"  widget talks to Rasa at {args.rasa_url.rstrip('/')} "
          f"(Rasa's --cors must allow http://{shown_host}:{port} and http://127.0.0.1:{port})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
