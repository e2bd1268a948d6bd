"""The page itself: three static files and its words, served with headers that keep it to
Limber and telegram.org (the Content-Security-Policy is the check that it makes no other
request, in every browser that opens it)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot import i18n, texts

_STATIC = files("bot.player") / "static"
_TYPES = {
    "index.html": "text/html; charset=utf-8",
    "player.js": "text/javascript; charset=utf-8",
    "player.css": "text/css; charset=utf-8",
}
# Telegram's own script, from its official address, and nothing else from anywhere else;
# pictures arrive as blobs (fetched with initData), speech and sound are made in the page.
POLICY = (
    "default-src 'self'; script-src 'self' https://telegram.org; style-src 'self'; "
    "img-src 'self' blob: data:; connect-src 'self'; media-src 'self' blob:; "
    "frame-ancestors https://web.telegram.org https://*.telegram.org 'self'; base-uri 'none'"
)
_HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # The files change with a deploy; revalidating costs one small request per open.
    "Cache-Control": "no-cache",
}


@cache
def _read(name: str) -> bytes:
    return (_STATIC / name).read_bytes()


def weight() -> int:
    """The page and its scripts in bytes, before compression (kept under 150 KB)."""
    return sum(len(_read(name)) for name in _TYPES)


async def _file(request: Request) -> Response:
    name = str(request.path_params.get("name", "index.html"))
    if name not in _TYPES:
        return Response("not found", status_code=404)
    return Response(_read(name), media_type=_TYPES[name], headers=_HEADERS)


async def _index(request: Request) -> Response:
    return Response(_read("index.html"), media_type=_TYPES["index.html"], headers=_HEADERS)


async def _words(request: Request) -> Response:
    """The page's sentences in one language (no user data: served without initData, so the
    page can say "open this from Telegram" in the reader's language)."""
    language = i18n.normalize(request.query_params.get("lang")) or i18n.SOURCE
    with i18n.using(language):
        words = texts.player_words()
    return JSONResponse(words, headers={"Cache-Control": "public, max-age=300"})


def routes() -> list[BaseRoute]:
    return [
        Route("/app", lambda request: RedirectResponse("/app/", status_code=308)),
        Route("/app/", _index, methods=["GET", "HEAD"]),
        Route("/app/words", _words, methods=["GET"]),
        Route("/app/{name}", _file, methods=["GET", "HEAD"]),
    ]
