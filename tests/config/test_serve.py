"""`storeteam serve` is a real production server: it answers pages, its static files (hashed and
compressed, served by whitenoise) and its health check."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import database_url_of_this_test

ROOT = Path(__file__).resolve().parents[2]


def server_environment() -> dict[str, str]:
    """This process's environment, pointed at this test's database, without what only a test
    process may set."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**env, "DATABASE_URL": database_url_of_this_test()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our own loopback server)
        return response.status, dict(response.headers), response.read()


@pytest.mark.django_db(transaction=True)
def test_production_server_serves_pages_static_files_and_health() -> None:
    port = free_port()
    env = {
        **server_environment(),
        "SECRET_KEY": "serve-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "false",
    }
    storeteam = str(Path(sys.executable).with_name("storeteam"))
    server = subprocess.Popen(
        [storeteam, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _, body = fetch(f"{base}/api/v1/health")
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"storeteam serve exited: {server.stdout.read().decode()[-3000:]}")  # type: ignore[union-attr]
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert status == 200
        assert b'"status": "ok"' in body or b'"status":"ok"' in body

        status, headers, page = fetch(f"{base}/")
        assert status == 200
        css = re.search(rb'href="(/static/storefront/site[^"]*\.css)"', page)
        assert css is not None
        # collected static files get a content hash in their name, for long caching
        assert re.match(rb"/static/storefront/site\.[0-9a-f]{12}\.css", css.group(1))
        status, headers, stylesheet = fetch(base + css.group(1).decode())
        assert status == 200
        assert headers["Content-Type"].startswith("text/css")
        assert "max-age=315360000" in headers.get("Cache-Control", "")
        assert b"--accent" in stylesheet
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.mark.django_db(transaction=True)
def test_two_production_servers_run_side_by_side_on_one_machine() -> None:
    env = {
        **server_environment(),
        "SECRET_KEY": "serve-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    }
    storeteam = str(Path(sys.executable).with_name("storeteam"))
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [storeteam, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        for port in ports:
            deadline = time.monotonic() + 30
            while True:
                try:
                    assert fetch(f"http://127.0.0.1:{port}/api/v1/health")[0] == 200
                    break
                except OSError:
                    assert time.monotonic() < deadline, f"server on {port} did not answer"
                    time.sleep(0.2)
        assert all(server.poll() is None for server in servers)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)


@pytest.mark.django_db(transaction=True)
def test_production_server_serves_image_renditions_cached_forever(
    deliver_events: Any, media_root: Path
) -> None:
    import urllib.error

    from PIL import Image

    from storeteam.catalog.images import product_image_add
    from storeteam.catalog.models import Product
    from tests.catalog.fixtures import build_small_catalog

    build_small_catalog(deliver_events)
    out = io.BytesIO()
    Image.new("RGB", (900, 900), (200, 30, 30)).save(out, "JPEG")
    jacket = Product.objects.get(translations__slug="wool-jacket", translations__language="en")
    image = product_image_add(product=jacket, file=out.getvalue())
    port = free_port()
    env = {
        **server_environment(),
        "SECRET_KEY": "serve-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "false",
        "MEDIA_ROOT": str(media_root),
    }
    storeteam = str(Path(sys.executable).with_name("storeteam"))
    server = subprocess.Popen(
        [storeteam, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                fetch(f"{base}/api/v1/health")
                break
            except OSError:
                assert server.poll() is None, "storeteam serve exited"
                assert time.monotonic() < deadline, "storeteam serve did not answer"
                time.sleep(0.2)
        _, _, page = fetch(f"{base}/p/wool-jacket/")
        srcset = re.search(rb'srcset="([^"]+)"', page)
        assert srcset is not None
        urls = [entry.split()[0].decode() for entry in srcset.group(1).split(b", ")]
        assert len(urls) == 5  # 160, 320, 480, 800 and the picture's own 900
        status, headers, body = fetch(base + urls[-1])
        assert status == 200
        assert headers["Content-Type"] == "image/webp"
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        with Image.open(io.BytesIO(body)) as served:
            assert (served.format, served.size) == ("WEBP", (900, 900))
        # a browser that has it gets 304
        etag = fetch(base + urls[0])[1]["ETag"]
        request = urllib.request.Request(base + urls[0], headers={"If-None-Match": etag})  # noqa: S310
        with pytest.raises(urllib.error.HTTPError) as not_modified:
            urllib.request.urlopen(request, timeout=10)  # noqa: S310
        assert not_modified.value.code == 304
        # the share JPEG is served too; the original as uploaded and anything else is not
        assert fetch(f"{base}/media/{image.share_name}")[1]["Content-Type"] == "image/jpeg"
        for hidden in (image.original.name, "../secret_key", "products/%2e%2e/x.webp"):
            with pytest.raises(urllib.error.HTTPError) as missing:
                fetch(f"{base}/media/{hidden}")
            assert missing.value.code == 404
    finally:
        server.terminate()
        server.wait(timeout=20)
