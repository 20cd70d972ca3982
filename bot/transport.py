"""The HTTP transport of the delivery Bot and the replies' Bot: a lean python-telegram-bot
`BaseRequest` on aiohttp."""

from __future__ import annotations

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.telegram_compat import timeout_or

#: Concurrent HTTP requests at most: enough for 1000/s at a few ms each; httpcore's pool
#: does work per queued request and connection, so more only costs CPU.
MAX_HTTP = 24


class AiohttpRequest(BaseRequest):
    """A lean `BaseRequest` on aiohttp for the delivery Bot: at hundreds of messages a second
    httpx's connection pool spends more CPU than the sends themselves. Parameters go as a
    form, as Telegram accepts them; uploads (which delivery never makes) are refused."""

    def __init__(
        self,
        *,
        connections: int = MAX_HTTP,
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
    ) -> None:
        self._connections = connections
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if request_data is not None and request_data.contains_files:
            raise NetworkError("AiohttpRequest sends no files; use HTTPXRequest for uploads")
        await self.initialize()
        assert self._session is not None
        read = timeout_or(read_timeout, self._read_timeout)
        connect = timeout_or(connect_timeout, self._connect_timeout)
        timeout = aiohttp.ClientTimeout(sock_connect=connect, sock_read=read)
        data = request_data.json_parameters if request_data is not None else None
        try:
            async with self._session.request(method, url, data=data, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp: {exc!r}") from exc
