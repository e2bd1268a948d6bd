"""The session player: a Telegram Mini App served by Limber itself at PUBLIC_URL/app/.

A second view of the same persisted session as the chat (bot/domain/session.py): the page
(static/) reads the session through a small JSON API (api.py), every call signed by Telegram's
initData (initdata.py), and a press in the page goes through the same `Coach.press` as a chat
button. Changes made elsewhere reach an open page through one long-poll per page, answered by
one batched version query per worker (live.py).
"""
