"""PTB's HTTP layer on aiohttp instead of httpx.

A nudge wave is CPU-bound in the bot, and httpx (with httpcore's pool bookkeeping) costs about
twice what aiohttp does per request (docs/benchmarks.md). PTB lets the request class be
swapped; this one maps aiohttp's errors onto PTB's (TimedOut, NetworkError) the same way
HTTPXRequest does, so everything above it behaves as before.

It also says what PTB's errors cannot: whether a failed request may still have reached
Telegram. A connection that was never made (`NotSent`) is safe to retry for anything; a read
timeout (`TimedOut`) or a dropped connection (`MaybeDelivered`) may have delivered the message,
so at-most-once sends (nudges) must not retry them. See `may_have_arrived`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.webhook_reply import ANSWER, WebhookReplies

# What Telegram answers to a successful answerCallbackQuery.
_ANSWERED = b'{"ok":true,"result":true}'


class NotSent(NetworkError):
    """No connection to Telegram was made: the request certainly did not arrive."""


class MaybeDelivered(NetworkError):
    """The request went out but the connection broke before the answer: it may have arrived."""


def may_have_arrived(exc: TelegramError) -> bool:
    """Whether Telegram may have acted on a request that failed with `exc`.

    True for read timeouts and broken connections; False for errors Telegram answered itself
    (4xx, 5xx, 429) and for connections that were never made.
    """
    return isinstance(exc, TimedOut | MaybeDelivered)


class AiohttpRequest(BaseRequest):
    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float = 5.0,
        write_timeout: float = 5.0,
        connect_timeout: float = 5.0,
        media_write_timeout: float = 20.0,
        observe: Callable[[str, str], None] | None = None,
    ) -> None:
        # Answers that go in a webhook response instead (bot/webhook_reply.py); stays empty
        # when polling.
        self.replies = WebhookReplies()
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        # Told each request's method and result (Metrics.telegram_call); None counts nothing.
        self.observe = observe
        self._agent = {"User-Agent": self.USER_AGENT}
        self._form_headers = {**self._agent, "Content-Type": "application/x-www-form-urlencoded"}

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self.observe is None:
            return await self._request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout
            )
        # The last path segment is the Bot API method: the token sits before it, never here.
        name = url.rsplit("/", 1)[-1]
        try:
            status, body = await self._request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout
            )
        except TimedOut:
            self.observe(name, "timeout")
            raise
        except NetworkError:
            self.observe(name, "network_error")
            raise
        self.observe(name, _result(status))
        return status, body

    async def _request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if (
            request_data is not None
            and url.endswith(ANSWER)
            and self.replies.offer(ANSWER, request_data.parameters)
        ):
            return 200, _ANSWERED
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = (
            self._connect_timeout if isinstance(connect_timeout, DefaultValue) else connect_timeout
        )
        write = self._write_timeout if isinstance(write_timeout, DefaultValue) else write_timeout
        if files:
            write = max(write or 0, self._media_write_timeout)
        # aiohttp has no separate write timeout: bound the whole exchange by write + read.
        total = None if read is None else (read or 0) + (write or 0) + (connect or 0)
        timeout = aiohttp.ClientTimeout(total=total, sock_connect=connect, sock_read=read)
        # A plain form is encoded here: given a dict, aiohttp builds a FormData (and with it a
        # multipart writer and a random boundary it never uses) for every request, a tenth of
        # the bot's CPU per answered press in a burst. The bytes sent are the same.
        body: Any = None if fields is None else urlencode(fields).encode()
        headers = self._form_headers
        if files:
            headers, body = self._agent, _multipart(fields or {}, files)
        try:
            async with self._session.request(
                method, url, data=body, timeout=timeout, headers=headers
            ) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as err:
            raise NotSent(f"connecting to Telegram timed out: {err}") from err
        except aiohttp.ClientConnectorError as err:
            raise NotSent(f"aiohttp.{err.__class__.__name__}: {err}") from err
        except TimeoutError as err:
            raise TimedOut from err
        except asyncio.TimeoutError as err:  # noqa: UP041 - aiohttp may raise the alias
            raise TimedOut from err
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as err:
            raise MaybeDelivered(f"aiohttp.{err.__class__.__name__}: {err}") from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err


def _result(status: int) -> str:
    if 200 <= status < 300:
        return "ok"
    if status == 429:
        return "rate_limited"
    return "client_error" if status < 500 else "server_error"


def _multipart(fields: dict[str, str], files: dict[str, Any]) -> aiohttp.FormData:
    form = aiohttp.FormData()
    for key, value in fields.items():
        form.add_field(key, value)
    for key, part in files.items():
        filename, content, mimetype = _field(part)
        form.add_field(key, content, filename=filename, content_type=mimetype)
    return form


def _field(part: Any) -> tuple[str | None, Any, str | None]:
    if isinstance(part, tuple):
        filename = part[0] if len(part) > 0 else None
        content = part[1] if len(part) > 1 else b""
        mimetype = part[2] if len(part) > 2 else None
        if hasattr(content, "read"):
            content = content.read()
        return filename, content, mimetype
    return None, part, None
