"""The Telegram calls on /metrics count every call by method and result: the labelled
counters are looked up once and kept (bot/metrics.py), so a kept one must go on counting, and
each pair of method and result must have its own."""

from __future__ import annotations

from bot.metrics import Metrics


def test_each_telegram_call_is_counted_under_its_own_method_and_result() -> None:
    metrics = Metrics()
    for _ in range(3):
        metrics.telegram_call("sendMessage", "ok")
    metrics.telegram_call("sendMessage", "error")
    metrics.telegram_call("answerCallbackQuery", "ok")
    text = metrics.render().decode()
    assert 'limber_telegram_requests_total{method="sendMessage",result="ok"} 3.0' in text
    assert 'limber_telegram_requests_total{method="sendMessage",result="error"} 1.0' in text
    assert 'limber_telegram_requests_total{method="answerCallbackQuery",result="ok"} 1.0' in text
