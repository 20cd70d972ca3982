"""Fetching feeds and pages like a good citizen: conditional GET, bounded bodies, manual
redirects, per-host limits, and an SSRF guard checked after DNS resolution at every hop.

One `Fetcher` wraps one `httpx.AsyncClient`. Without an injected transport, every TCP
connection goes to an address that was resolved and checked at connect time (no DNS
rebinding between the check and the connection). The guard and the client that enforces it
belong together, so this module runs past 500 lines."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import re
import socket
import zlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import TracebackType
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

logger = logging.getLogger(__name__)

Resolver = Callable[[str, int], Awaitable[list[str]]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

REDIRECTS = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
MAX_REDIRECTS = 5
PER_HOST = 2
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
# What a host name never contains (IDN names may hold any other non-ASCII letter).
_NOT_IN_HOST = re.compile(r"[\x00-\x20\x7f<>\"'{}|\\^`%/?#@\[\]()*,;=!$&+~]")


class FetchError(Exception):
    """A fetch failed; `str()` is one line a person can act on."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after  # seconds the server asked us to wait


class UnsafeURLError(FetchError):
    """The URL is not http(s) or leads to a loopback, private or otherwise internal address."""


class InvalidURLError(UnsafeURLError):
    """The text is not a well-formed http(s) URL (no host, a bad port, characters no host
    name has, an unclosed IPv6 bracket)."""


#: How an operator allows private addresses; named in the refusal so it can be found.
ALLOW_PRIVATE_SETTING = "DIGESTBOT_ALLOW_PRIVATE_URLS"


class PrivateAddressError(UnsafeURLError):
    """The host is (or resolves to) a loopback, private or reserved address; the message
    names the setting that allows such addresses in a trusted local setup."""

    def __init__(self, what: str) -> None:
        super().__init__(
            f"{what}; set {ALLOW_PRIVATE_SETTING}=true to allow private addresses "
            "(trusted local setups only)"
        )


class TooLargeError(FetchError):
    """The body is larger than the limit (or never ends)."""


class RedirectError(FetchError):
    """A redirect loop, too many redirects, or a redirect without a usable Location."""


class HTTPStatusError(FetchError):
    """The server answered with an error status (4xx, 5xx)."""


@dataclass(frozen=True)
class FetchResult:
    url: str  # where the body came from, after redirects
    status: int  # 200-299, or 304 when the conditional GET found nothing new
    content: bytes  # decompressed body ("" for 304)
    content_type: str  # media type, lower case, without parameters
    charset: str | None  # from the Content-Type header
    etag: str | None
    last_modified: str | None
    permanent_url: str | None  # the feed moved: where the leading 301/308 chain ended
    max_age: float | None  # Cache-Control max-age, seconds

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def text(self) -> str:
        """The body as text: declared charset, BOM, `<meta charset>`, then detection."""
        return decode_text(self.content, self.charset)


# --- the SSRF guard -------------------------------------------------------------------------


def is_public_address(address: IPAddress) -> bool:
    """True for a globally routable unicast address; IPv4 embedded in IPv6 (mapped, NAT64,
    6to4, Teredo) is judged as the IPv4 address it carries."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public_address(embedded)
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


async def system_resolver(host: str, port: int) -> list[str]:
    """The addresses `host` resolves to, through the event loop's getaddrinfo."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve {host}: {exc.strerror or exc}") from None
    addresses: list[str] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = str(sockaddr[0]).split("%", 1)[0]  # drop an IPv6 zone id
        if address not in addresses:
            addresses.append(address)
    return addresses


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def valid_url(url: str) -> str:
    """`url` when it is a well-formed http(s) URL with a host; `InvalidURLError` (one line
    naming what is wrong) for anything else."""
    _split(url)
    return url


def _split(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL, or InvalidURLError/UnsafeURLError."""
    shown = url[:200]
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidURLError(f"not a valid URL: {shown}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InvalidURLError(f"only http and https URLs are fetched, not {scheme or 'this'!r}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise InvalidURLError(f"the URL has no host: {shown}")
    if _literal(host) is None and (_NOT_IN_HOST.search(host) or ".." in host):
        raise InvalidURLError(f"not a valid host name in {shown}")
    return scheme, host, port or (443 if scheme == "https" else 80)


async def checked_addresses(
    host: str, port: int, *, allow_private: bool, resolver: Resolver | None
) -> list[str]:
    """Resolve `host` and refuse it when any address it resolves to is not public.

    Without a resolver only literal addresses and localhost names are judged (an injected
    transport decides itself where requests go)."""
    literal = _literal(host)
    if literal is not None:
        addresses = [str(literal)]
    elif resolver is None:
        name = host.lower()
        if not allow_private and any(name == n or name.endswith("." + n) for n in _LOCAL_NAMES):
            raise PrivateAddressError(f"{host} is a loopback address")
        return []
    else:
        addresses = await resolver(host, port)
        if not addresses:
            raise FetchError(f"cannot resolve {host}")
    if allow_private:
        return addresses
    for address in addresses:
        parsed = _literal(address)
        if parsed is None or not is_public_address(parsed):
            where = host if host == address else f"{host} ({address})"
            raise PrivateAddressError(f"{where} is a private, loopback or reserved address")
    return addresses


async def check_url(
    url: str, *, allow_private: bool = False, resolver: Resolver | None = system_resolver
) -> None:
    """Raise `UnsafeURLError` unless `url` is http(s) and its host resolves only to public
    addresses (with `allow_private`, only the scheme and host are checked)."""
    _scheme, host, port = _split(url)
    await checked_addresses(host, port, allow_private=allow_private, resolver=resolver)


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """Connects only to addresses resolved and checked right here, so a DNS answer that
    changes between the check and the connection (rebinding) cannot reach an internal host.
    TLS still verifies the certificate against the host name (httpcore does the handshake)."""

    def __init__(self, *, allow_private: bool, resolver: Resolver) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allow_private = allow_private
        self._resolver = resolver

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await checked_addresses(
            host, port, allow_private=self._allow_private, resolver=self._resolver
        )
        error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error or httpcore.ConnectError(f"cannot connect to {host}")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise UnsafeURLError("unix sockets are never fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _guarded_transport(
    *, allow_private: bool, resolver: Resolver, limits: httpx.Limits
) -> httpx.AsyncHTTPTransport:
    transport = httpx.AsyncHTTPTransport(trust_env=False, limits=limits)
    # httpx has no public hook for the network backend; its pool takes one. Proxies from the
    # environment are off (trust_env=False): they would bypass the address check.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(trust_env=False),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=_GuardedBackend(allow_private=allow_private, resolver=resolver),
    )
    return transport


# --- bodies ---------------------------------------------------------------------------------


class _Decoder:
    """Content-Encoding decoder whose output is bounded before it is produced (a small gzip
    bomb cannot expand past the limit in memory)."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._first = True
        self._zlib: Any = None
        if encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._zlib = zlib.decompressobj()
        elif encoding not in ("", "identity"):
            raise FetchError(f"unsupported content encoding {encoding!r}")

    def decode(self, data: bytes, room: int) -> bytes:
        """At most `room + 1` bytes of output (one more than fits tells the caller to stop)."""
        if self._zlib is None:
            return data[: room + 1]
        try:
            out: bytes = self._zlib.decompress(data, room + 1)
        except zlib.error:
            if self._encoding == "deflate" and self._first:  # raw deflate without a header
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                self._first = False
                return self.decode(data, room)
            raise FetchError("the compressed body is corrupt") from None
        self._first = False
        if self._zlib.eof and self._zlib.unused_data and len(out) <= room:
            # another gzip member follows
            rest = self._zlib.unused_data
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
            out += self.decode(rest, room - len(out))
        return out


async def _read_body(response: httpx.Response, limit: int) -> bytes:
    if response.is_stream_consumed:  # an in-memory response (MockTransport): already decoded
        if len(response.content) > limit:
            raise TooLargeError(f"the response is larger than {_size(limit)}")
        return response.content
    length = response.headers.get("content-length", "")
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if length.isdigit() and not encoding and int(length) > limit:
        raise TooLargeError(f"the response is larger than {_size(limit)} ({_size(int(length))})")
    decoder = _Decoder(encoding)
    chunks: list[bytes] = []
    size = 0
    async for raw in response.aiter_raw():
        out = decoder.decode(raw, limit - size)
        size += len(out)
        if size > limit:
            raise TooLargeError(f"the response is larger than {_size(limit)}")
        chunks.append(out)
    return b"".join(chunks)


def _size(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:g} MB"
    if n >= 1_000:
        return f"{n / 1_000:g} kB"
    return f"{n} bytes"


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([\w.:-]+)""")


def decode_text(content: bytes, charset: str | None = None) -> str:
    """Decode a body: a BOM wins, then the declared charset, then `<meta charset>` or the XML
    declaration, then UTF-8 if it is valid, then detection (charset-normalizer), then
    windows-1252."""
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16-le"),
        (b"\xfe\xff", "utf-16-be"),
    ):
        if content.startswith(bom):
            return content[len(bom) :].decode(codec, errors="replace")
    head = content[:4096]
    declared = [charset] if charset else []
    for pattern in (_META_CHARSET, _XML_ENCODING):
        found = pattern.search(head)
        if found:
            declared.append(found.group(1).decode("ascii", "replace"))
    for name in declared:
        try:
            text = content.decode(_codec(name))
        except (LookupError, UnicodeDecodeError):
            continue  # a wrong or unknown declaration: fall through to detection
        return text
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if len(content) >= 1000:  # detection needs text to work on; short text is guessed wrong
        from charset_normalizer import from_bytes

        best = from_bytes(content).best()
        if best is not None:
            return str(best)
    return content.decode("cp1252", errors="replace")  # the web's usual non-UTF-8 encoding


def _codec(name: str) -> str:
    lowered = name.strip().lower()
    # What browsers do: these labels mean windows-1252 on the web.
    if lowered in ("iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii"):
        return "cp1252"
    return lowered


# --- headers --------------------------------------------------------------------------------


def _parse_retry_after(value: str | None, *, date: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    reference = datetime.now(UTC)
    if date:
        with contextlib.suppress(TypeError, ValueError):
            reference = parsedate_to_datetime(date)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if reference.tzinfo is None:
        reference = reference.replace(tzinfo=UTC)
    return max(0.0, (when - reference).total_seconds())


def _max_age(headers: httpx.Headers) -> float | None:
    """Seconds the response stays fresh: `Cache-Control: max-age`, else `Expires` − `Date`."""
    found = re.search(
        r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", headers.get("cache-control", ""), re.IGNORECASE
    )
    if found:
        return float(found.group(1))
    expires, date = headers.get("expires"), headers.get("date")
    if not expires or not date:
        return None
    try:
        seconds = (parsedate_to_datetime(expires) - parsedate_to_datetime(date)).total_seconds()
    except (TypeError, ValueError):
        return None  # "Expires: 0" and other invalid dates mean already stale
    return seconds if seconds > 0 else None


def _media_type(value: str | None) -> tuple[str, str | None]:
    if not value:
        return "", None
    media, _, params = value.partition(";")
    found = re.search(r"charset\s*=\s*\"?([\w.:-]+)", params, re.IGNORECASE)
    return media.strip().lower(), found.group(1) if found else None


# --- the fetcher ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class FetchPolicy:
    """What a `Fetcher` sends and how long, how much and how far it goes (like `httpx.Limits`)."""

    user_agent: str = "digestbot/0.1"
    """The User-Agent header."""
    timeout: float = 20.0
    """Seconds to wait for a connection or for the next bytes of an answer."""
    total_timeout: float | None = None
    """Seconds one fetch may take in all, redirects included (None: three times `timeout`)."""
    max_body_bytes: int = 10_000_000
    """A larger body (after decompression) is refused (`TooLargeError`)."""
    max_redirects: int = MAX_REDIRECTS
    """Redirects followed, each checked like the first URL."""
    per_host: int = PER_HOST
    """Fetches to one host at the same time."""
    max_connections: int = 20
    """Open connections in all."""
    allow_private: bool = False
    """Lift the check that keeps fetches off loopback and private addresses (trusted setups,
    loopback tests)."""


class Fetcher:
    """Fetch URLs on one shared `httpx.AsyncClient`, as its `FetchPolicy` says.

    `transport` replaces the network (tests, the demo); `resolver` replaces DNS (tests)."""

    def __init__(
        self,
        policy: FetchPolicy = FetchPolicy(),
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        self.policy = policy
        self.total_timeout = policy.total_timeout or 3 * policy.timeout
        self._hosts: dict[str, asyncio.Semaphore] = {}
        limits = httpx.Limits(max_connections=policy.max_connections, max_keepalive_connections=10)
        if transport is None:
            self._resolver: Resolver | None = resolver or system_resolver
            transport = _guarded_transport(
                allow_private=policy.allow_private, resolver=self._resolver, limits=limits
            )
        else:
            self._resolver = resolver
        self.client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(policy.timeout),
            follow_redirects=False,
            trust_env=False,
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),  # keep none
            headers={
                "User-Agent": policy.user_agent,
                "Accept-Encoding": "gzip, deflate",
                "Accept": "application/rss+xml, application/atom+xml, application/rdf+xml, "
                "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5",
            },
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.client.aclose()

    async def check(self, url: str) -> None:
        """Raise `UnsafeURLError` when this fetcher would refuse `url`."""
        _scheme, host, port = _split(url)
        await checked_addresses(
            host, port, allow_private=self.policy.allow_private, resolver=self._resolver
        )

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """GET `url` (conditionally when `etag`/`last_modified` are given), following at most
        `max_redirects` redirects, each checked like the first URL."""
        try:
            async with asyncio.timeout(self.total_timeout):
                return await self._fetch(url, etag=etag, last_modified=last_modified)
        except TimeoutError:
            raise FetchError(f"timed out after {self.total_timeout:g} s") from None
        except httpx.TimeoutException:
            raise FetchError(f"timed out (no answer within {self.policy.timeout:g} s)") from None
        except httpx.InvalidURL as exc:
            raise InvalidURLError(f"not a valid URL: {exc}") from None
        except httpx.RemoteProtocolError as exc:
            raise FetchError(f"the server broke the HTTP protocol: {exc}") from None
        except httpx.TransportError as exc:
            raise FetchError(f"cannot connect: {exc or type(exc).__name__}") from None

    async def _fetch(self, url: str, *, etag: str | None, last_modified: str | None) -> FetchResult:
        seen = {url}
        permanent_url: str | None = None
        still_permanent = True
        for _hop in range(self.policy.max_redirects + 1):
            _scheme, host, port = _split(url)
            await checked_addresses(
                host, port, allow_private=self.policy.allow_private, resolver=self._resolver
            )
            headers: dict[str, str] = {}
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            async with self._host_slot(host):
                request = self.client.build_request("GET", url, headers=headers)
                response = await self.client.send(request, stream=True)
                try:
                    if response.status_code in REDIRECTS:
                        target = self._location(response, url)
                        if target in seen:
                            raise RedirectError(f"redirect loop at {target}")
                        seen.add(target)
                        if still_permanent and response.status_code in PERMANENT_REDIRECTS:
                            permanent_url = target
                        else:
                            still_permanent = False
                        url = target
                        continue
                    return await self._result(response, url, permanent_url)
                finally:
                    await response.aclose()
        raise RedirectError(f"more than {self.policy.max_redirects} redirects")

    def _host_slot(self, host: str) -> asyncio.Semaphore:
        slot = self._hosts.get(host)
        if slot is None:
            slot = self._hosts[host] = asyncio.Semaphore(self.policy.per_host)
        return slot

    @staticmethod
    def _location(response: httpx.Response, url: str) -> str:
        location = response.headers.get("location", "").strip()
        if not location:
            raise RedirectError(f"HTTP {response.status_code} without a Location header")
        return str(urljoin(url, location))

    async def _result(
        self, response: httpx.Response, url: str, permanent_url: str | None
    ) -> FetchResult:
        status = response.status_code
        headers = response.headers
        if status >= 400 or status < 200 or (300 <= status < 400 and status != 304):
            retry_after = _parse_retry_after(headers.get("retry-after"), date=headers.get("date"))
            reason = response.reason_phrase or ""
            raise HTTPStatusError(
                f"HTTP {status} {reason}".strip(), status=status, retry_after=retry_after
            )
        media, charset = _media_type(headers.get("content-type"))
        content = b"" if status == 304 else await _read_body(response, self.policy.max_body_bytes)
        return FetchResult(
            url=url,
            status=status,
            content=content,
            content_type=media,
            charset=charset,
            etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
            permanent_url=permanent_url,
            max_age=_max_age(headers),
        )
