"""A loopback aiohttp server for the tests that need real HTTP (fetching, redirects, SSRF
checks, a feed for a bot process)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def redirect(to: str, status: type[web.HTTPMove] = web.HTTPFound) -> Handler:
    """A handler redirecting to `to` (a path of the same server) with `status`."""

    async def handle(request: web.Request) -> web.StreamResponse:
        raise status(to)

    return handle


@asynccontextmanager
async def serve_routes(
    routes: Mapping[str, Handler],
) -> AsyncIterator[tuple[str, list[web.Request]]]:
    """A loopback HTTP server on a free port answering GET `routes` (aiohttp paths); yields
    its base URL and the requests it got."""
    seen: list[web.Request] = []

    @web.middleware
    async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
        seen.append(request)
        return await handler(request)

    app = web.Application(middlewares=[record])
    for path, handler in routes.items():
        app.router.add_get(path, handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        await runner.cleanup()
