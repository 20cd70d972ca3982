"""The SSRF guard: URLs users supply never reach loopback, private, link-local or otherwise
internal addresses — judged after DNS resolution, at every redirect, and again at connect
time. A loopback server counts requests: a refused URL must leave it untouched. Nothing
outside 127.0.0.1 is ever contacted (fake resolvers, MockTransport)."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from aiohttp import web

from ingest.fetch import Fetcher, FetchPolicy, UnsafeURLError, check_url, is_public_address
from tests.support.web import serve_routes

PUBLIC = "93.184.216.34"


@asynccontextmanager
async def counting_server() -> AsyncIterator[tuple[int, list[str]]]:
    hits: list[str] = []

    async def anything(request: web.Request) -> web.Response:
        hits.append(str(request.rel_url))
        return web.Response(text="secret internal page")

    async with serve_routes({"/{tail:.*}": anything}) as (url, _seen):
        yield int(url.rsplit(":", 1)[1]), hits


def fake_resolver(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    calls: list[str] = []

    async def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return table[host]

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),  # multicast
        ("240.0.0.1", False),  # reserved
        ("255.255.255.255", False),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped
        ("::ffff:10.0.0.1", False),
        ("64:ff9b::a00:1", False),  # NAT64 of 10.0.0.1
        ("2002:c0a8:0101::1", False),  # 6to4 of 192.168.1.1
        ("8.8.8.8", True),
        (PUBLIC, True),
        ("2606:4700:4700::1111", True),
        ("::ffff:8.8.8.8", True),
    ],
)
def test_address_classification(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize(
    "template",
    [
        "http://127.0.0.1:{port}/",
        "http://localhost:{port}/",  # a name resolving to loopback (real resolver)
        "http://[::ffff:127.0.0.1]:{port}/",
        "http://2130706433:{port}/",  # 127.0.0.1 as one decimal number
        "http://127.1:{port}/",
        "http://0.0.0.0:{port}/",
    ],
)
async def test_loopback_urls_are_refused_before_any_connection(template: str) -> None:
    async with counting_server() as (port, hits), Fetcher() as fetcher:
        with pytest.raises(UnsafeURLError):
            await fetcher.fetch(template.format(port=port))
        assert hits == []
        # the same server is reachable when private addresses are allowed
        async with Fetcher(FetchPolicy(allow_private=True)) as trusted:
            assert (await trusted.fetch(f"http://127.0.0.1:{port}/x")).content
        assert hits == ["/x"]


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/feed",
        "http://192.168.0.10/",
        "http://172.20.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/",
        "http://[fd12:3456::1]/",
        "http://100.100.100.200/",
        "file:///etc/passwd",
        "ftp://feeds.example/rss",
        "gopher://127.0.0.1/",
        "http:///nohost",
    ],
)
async def test_private_and_odd_urls_are_refused(url: str) -> None:
    contacted: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        contacted.append(str(request.url))
        return httpx.Response(200)

    async with Fetcher(transport=httpx.MockTransport(handler)) as fetcher:
        with pytest.raises(UnsafeURLError):
            await fetcher.fetch(url)
    with pytest.raises(UnsafeURLError):
        await check_url(url)
    assert contacted == []


async def test_names_resolving_to_private_addresses_are_refused() -> None:
    resolve = fake_resolver({"intranet.example": [PUBLIC, "10.0.0.5"], "ok.example": [PUBLIC]})
    contacted: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        contacted.append(str(request.url))
        return httpx.Response(200, content=b"hello")

    async with Fetcher(transport=httpx.MockTransport(handler), resolver=resolve) as fetcher:
        with pytest.raises(UnsafeURLError, match=r"intranet\.example \(10\.0\.0\.5\)"):
            await fetcher.fetch("https://intranet.example/feed")
        assert (await fetcher.fetch("https://ok.example/feed")).content == b"hello"
    assert contacted == ["https://ok.example/feed"]


async def test_redirects_to_private_addresses_are_refused() -> None:
    resolve = fake_resolver({"news.example": [PUBLIC], "internal.example": ["192.168.0.5"]})
    targets = iter(
        [
            "http://internal.example/admin",
            "http://127.0.0.1:8080/",
            "http://[::1]/",
            "http://169.254.169.254/latest/meta-data/",
            "file:///etc/passwd",
        ]
    )
    contacted: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        contacted.append(str(request.url))
        return httpx.Response(302, headers={"Location": next(targets)})

    async with Fetcher(transport=httpx.MockTransport(handler), resolver=resolve) as fetcher:
        for _ in range(5):
            with pytest.raises(UnsafeURLError):
                await fetcher.fetch("https://news.example/feed")
    assert contacted == ["https://news.example/feed"] * 5


async def test_dns_rebinding_is_caught_at_connect_time() -> None:
    """The name is public when first checked and loopback a moment later: the connection is
    made only to an address checked at connect time, so it never reaches the server."""
    answers = iter([[PUBLIC], ["127.0.0.1"], ["127.0.0.1"]])

    async def rebinding(host: str, port: int) -> list[str]:
        return next(answers)

    async with counting_server() as (port, hits), Fetcher(resolver=rebinding) as fetcher:
        with pytest.raises(UnsafeURLError, match=r"127\.0\.0\.1"):
            await fetcher.fetch(f"http://rebind.example:{port}/")
        assert hits == []


async def test_connections_go_to_the_checked_address() -> None:
    """With private addresses allowed, the guarded transport connects to the address the
    resolver returned, not to whatever the system resolver thinks of the name."""

    async def resolve(host: str, port: int) -> list[str]:
        assert host == "feeds.invalid"
        return ["127.0.0.1"]

    async with (
        counting_server() as (port, hits),
        Fetcher(FetchPolicy(allow_private=True), resolver=resolve) as fetcher,
    ):
        result = await fetcher.fetch(f"http://feeds.invalid:{port}/rss")
    assert result.content == b"secret internal page" and hits == ["/rss"]
