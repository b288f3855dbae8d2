"""The demo page server: configuration reaches the widget, nothing else is served."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from channels.web.serve import make_server, origin_of

RASA = 'http://127.0.0.1:5999/"><script>alert(1)</script>'


@pytest.fixture
def demo_url() -> Iterator[str]:
    server = make_server("127.0.0.1", 0, "http://127.0.0.1:5999")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def fetch(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_the_page_names_the_rasa_server_and_allows_only_it(demo_url):
    status, headers, body = fetch(demo_url + "/")
    assert status == 200
    assert b'<script src="/static/signpost-widget.js" data-rasa-url="http://127.0.0.1:5999" defer>' in body
    policy = headers["Content-Security-Policy"]
    assert "connect-src 'self' http://127.0.0.1:5999;" in policy
    assert "default-src 'none'" in policy and "script-src 'self';" in policy
    assert headers["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize("path", ["/static/signpost-widget.js", "/static/signpost-widget.css"])
def test_the_widget_files_are_served(demo_url, path):
    status, headers, body = fetch(demo_url + path)
    assert status == 200 and body
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", ["/static/../serve.py", "/static/%2e%2e/serve.py", "/serve.py",
                                  "/static/", "/static/.hidden", "/demo/index.html"])
def test_nothing_outside_the_static_folder_is_served(demo_url, path):
    assert fetch(demo_url + path)[0] == 404


def test_the_rasa_address_cannot_inject_markup(tmp_path):
    from channels.web.serve import render_demo_page

    page = render_demo_page(RASA).decode()
    assert "<script>alert(1)</script>" not in page
    assert 'data-rasa-url="http://127.0.0.1:5999/&quot;&gt;&lt;script&gt;' in page


@pytest.mark.parametrize("bad", ["", "localhost:5005", "javascript:alert(1)", "ftp://host"])
def test_a_malformed_rasa_address_is_refused(bad):
    with pytest.raises(ValueError):
        origin_of(bad)


def test_an_area_page_puts_the_area_on_the_chat_element(demo_url):
    status, _, body = fetch(demo_url + "/area/st_helens")
    assert status == 200
    assert b'<div id="signpost-chat" class="intranet-chat" data-signpost data-area="st_helens"></div>' in body
    _, _, plain = fetch(demo_url + "/")
    assert b"data-area" not in plain and b"{{" not in plain      # no area: the server's default


def test_an_area_that_is_not_an_id_is_not_served(demo_url):
    status, _, body = fetch(demo_url + "/area/%22%3E%3Cscript%3E")
    assert status == 404 and b"<script>" not in body
