"""Fetching like a good citizen, against a real loopback HTTP server (aiohttp) and
httpx.MockTransport: conditional GET, compression, charsets, size limits, redirects,
status codes, cache hints, per-host limits."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiohttp import web

from ingest.fetch import (
    Fetcher,
    FetchError,
    FetchPolicy,
    HTTPStatusError,
    RedirectError,
    TooLargeError,
    decode_text,
)
from tests.support.web import redirect, serve_routes

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
RSS = (FEEDS / "rss2.xml").read_bytes()


def loopback_fetcher(**policy: Any) -> Fetcher:
    """A fetcher allowed onto loopback (the test servers), with these `FetchPolicy` fields."""
    return Fetcher(
        FetchPolicy(user_agent="digestbot-test/1.0 (+tests)", allow_private=True, **policy)
    )


async def test_conditional_get_returns_304_with_the_validators() -> None:
    async def feed(request: web.Request) -> web.Response:
        headers = {"ETag": '"v1"', "Last-Modified": "Sun, 01 Mar 2026 09:30:00 GMT"}
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304, headers=headers)
        return web.Response(body=RSS, content_type="application/rss+xml", headers=headers)

    async with serve_routes({"/feed": feed}) as (base, seen), loopback_fetcher() as fetcher:
        first = await fetcher.fetch(f"{base}/feed")
        assert first.status == 200 and first.content == RSS
        assert first.etag == '"v1"' and first.last_modified.startswith("Sun, 01 Mar 2026")
        second = await fetcher.fetch(
            f"{base}/feed", etag=first.etag, last_modified=first.last_modified
        )
    assert second.not_modified and second.content == b""
    assert seen[1].headers["If-Modified-Since"] == "Sun, 01 Mar 2026 09:30:00 GMT"
    assert seen[0].headers["User-Agent"] == "digestbot-test/1.0 (+tests)"


async def test_gzip_and_deflate_bodies_are_decompressed() -> None:
    async def gzipped(request: web.Request) -> web.Response:
        assert "gzip" in request.headers["Accept-Encoding"]
        return web.Response(body=gzip.compress(RSS), headers={"Content-Encoding": "gzip"})

    async def deflated(request: web.Request) -> web.Response:
        return web.Response(body=zlib.compress(RSS), headers={"Content-Encoding": "deflate"})

    async def raw_deflate(request: web.Request) -> web.Response:
        packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        body = packer.compress(RSS) + packer.flush()
        return web.Response(body=body, headers={"Content-Encoding": "deflate"})

    routes = {"/gz": gzipped, "/deflate": deflated, "/raw": raw_deflate}
    async with serve_routes(routes) as (base, _), loopback_fetcher() as fetcher:
        for path in routes:
            assert (await fetcher.fetch(base + path)).content == RSS, path


async def test_an_endless_response_stops_at_the_size_limit() -> None:
    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        await response.prepare(request)
        chunk = b"<item>" + b"x" * 65_530
        try:
            for _ in range(100_000):  # 6.5 GB if nobody stops reading
                await response.write(chunk)
        except (ConnectionError, RuntimeError):
            pass
        return response

    async def announced(request: web.Request) -> web.Response:
        return web.Response(body=b"x" * 300_000)

    async with (
        serve_routes({"/endless": endless, "/big": announced}) as (base, _),
        loopback_fetcher(max_body_bytes=200_000) as fetcher,
    ):
        with pytest.raises(TooLargeError, match="larger than 200 kB"):
            await fetcher.fetch(f"{base}/endless")
        with pytest.raises(TooLargeError, match=r"larger than 200 kB \(300 kB\)"):
            await fetcher.fetch(f"{base}/big")


async def test_a_gzip_bomb_never_expands_past_the_limit() -> None:
    bomb = gzip.compress(b"\0" * 50_000_000)  # 50 MB of zeros in about 50 kB

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(bomb), 4096):
            yield bomb[start : start + 4096]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=chunks(), headers={"Content-Encoding": "gzip"})

    async with Fetcher(
        FetchPolicy(max_body_bytes=1_000_000), transport=httpx.MockTransport(handler)
    ) as f:
        with pytest.raises(TooLargeError):
            await f.fetch("https://feeds.example/bomb")


async def test_redirect_loop_and_too_many_redirects_are_clear_errors() -> None:
    async def chain(request: web.Request) -> web.Response:
        step = int(request.match_info["n"])
        raise web.HTTPTemporaryRedirect(f"/chain/{step + 1}")

    routes = {"/a": redirect("/b"), "/b": redirect("/a"), "/chain/{n}": chain}
    async with (
        serve_routes(routes) as (base, seen),
        loopback_fetcher(max_redirects=3) as fetcher,
    ):
        with pytest.raises(RedirectError, match="redirect loop"):
            await fetcher.fetch(f"{base}/a")
        assert len(seen) == 2
        with pytest.raises(RedirectError, match="more than 3 redirects"):
            await fetcher.fetch(f"{base}/chain/0")


async def test_permanent_redirects_are_reported_temporary_ones_are_not() -> None:
    async def feed(request: web.Request) -> web.Response:
        return web.Response(body=RSS, content_type="application/rss+xml")

    routes = {
        "/old": redirect("/new-feed", web.HTTPMovedPermanently),
        "/old2": redirect("/temporary", web.HTTPPermanentRedirect),  # moved, then temporary
        "/temporary": redirect("/new-feed"),
        "/new-feed": feed,
    }
    async with serve_routes(routes) as (base, _), loopback_fetcher() as fetcher:
        moved_result = await fetcher.fetch(f"{base}/old")
        chained = await fetcher.fetch(f"{base}/old2")
        only_temporary = await fetcher.fetch(f"{base}/temporary")
    assert moved_result.permanent_url == f"{base}/new-feed"
    assert moved_result.url == f"{base}/new-feed" and moved_result.content == RSS
    assert chained.permanent_url == f"{base}/temporary"  # the feed lives there now
    assert only_temporary.permanent_url is None


async def test_error_statuses_carry_status_and_retry_after() -> None:
    async def gone(request: web.Request) -> web.Response:
        return web.Response(status=410)

    async def busy(request: web.Request) -> web.Response:
        return web.Response(status=503, headers={"Retry-After": "120"})

    async def limited(request: web.Request) -> web.Response:
        headers = {
            "Retry-After": "Sun, 01 Mar 2026 10:00:00 GMT",
            "Date": "Sun, 01 Mar 2026 09:00:00 GMT",
        }
        return web.Response(status=429, headers=headers)

    routes = {"/gone": gone, "/busy": busy, "/limited": limited}
    async with serve_routes(routes) as (base, _), loopback_fetcher() as fetcher:
        with pytest.raises(HTTPStatusError, match="HTTP 410 Gone") as gone_error:
            await fetcher.fetch(f"{base}/gone")
        with pytest.raises(HTTPStatusError) as busy_error:
            await fetcher.fetch(f"{base}/busy")
        with pytest.raises(HTTPStatusError) as limited_error:
            await fetcher.fetch(f"{base}/limited")
    assert gone_error.value.status == 410
    assert busy_error.value.status == 503 and busy_error.value.retry_after == 120
    assert limited_error.value.retry_after == 3600


async def test_cache_control_max_age_and_expires_are_reported() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=RSS, headers={"Cache-Control": "public, max-age=7200"})

    def expires(request: httpx.Request) -> httpx.Response:
        headers = {
            "Date": "Sun, 01 Mar 2026 09:00:00 GMT",
            "Expires": request.url.params.get("e", "0"),
        }
        return httpx.Response(200, content=RSS, headers=headers)

    async with Fetcher(transport=httpx.MockTransport(handler)) as fetcher:
        assert (await fetcher.fetch("https://feeds.example/rss")).max_age == 7200
    async with Fetcher(transport=httpx.MockTransport(expires)) as fetcher:
        later = await fetcher.fetch("https://feeds.example/rss?e=Sun, 01 Mar 2026 10:30:00 GMT")
        assert later.max_age == 5400
        assert (await fetcher.fetch("https://feeds.example/rss?e=0")).max_age is None


async def test_charsets_from_header_meta_and_detection() -> None:
    page = "<html><head><meta charset='windows-1252'></head><body>Café “déjà vu”</body></html>"
    body = page.encode("cp1252")

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/header":
            return httpx.Response(
                200, content=body, headers={"Content-Type": "text/html; charset=windows-1252"}
            )
        return httpx.Response(200, content=body, headers={"Content-Type": "text/html"})

    async with Fetcher(transport=httpx.MockTransport(handler)) as fetcher:
        for path in ("/header", "/meta"):
            result = await fetcher.fetch(f"https://pages.example{path}")
            assert "Café “déjà vu”" in result.text(), path
    # no declaration at all, not UTF-8: detected
    latin = "Le café de la gare était fermé à cause de la grève générale.".encode("latin-1")
    assert decode_text(latin) == latin.decode("latin-1")
    # declared UTF-8 but written in windows-1252: the wrong label does not win
    assert "café" in decode_text("Un café.".encode("cp1252"), "utf-8")


async def test_timeouts_are_clear_errors() -> None:
    release = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        await asyncio.wait_for(release.wait(), 30)
        return web.Response(text="late")

    async with serve_routes({"/slow": slow}) as (base, _), loopback_fetcher(timeout=0.3) as fetcher:
        with pytest.raises(FetchError, match="timed out"):
            await fetcher.fetch(f"{base}/slow")
        release.set()


async def test_connections_per_host_are_limited() -> None:
    in_flight: dict[str, int] = {}
    peak: dict[str, int] = {}

    async def handler(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        in_flight[host] = in_flight.get(host, 0) + 1
        peak[host] = max(peak.get(host, 0), in_flight[host])
        await asyncio.sleep(0.05)
        in_flight[host] -= 1
        return httpx.Response(200, content=b"ok")

    async with Fetcher(FetchPolicy(per_host=2), transport=httpx.MockTransport(handler)) as fetcher:
        urls = [f"https://{host}.example/{i}" for host in ("a", "b") for i in range(6)]
        await asyncio.gather(*(fetcher.fetch(url) for url in urls))
    assert peak == {"a.example": 2, "b.example": 2}


async def test_unreachable_server_is_one_clear_error() -> None:
    async with serve_routes({}) as (base, _):
        closed = base  # the server is gone after this block
    async with loopback_fetcher() as fetcher:
        with pytest.raises(FetchError, match="cannot connect"):
            await fetcher.fetch(f"{closed}/feed")
