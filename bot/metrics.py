"""Prometheus metrics, one registry per Application.

A registry of its own (not the process-global default) so several Applications in one process
(tests, `try`) never collide, and each worker reports only what it did. The default registry's
process and platform collectors (CPU, memory, open files, Python version) are added to it, so
an operator's usual dashboards work; counters end in _total, durations are in seconds.
"""

from __future__ import annotations

import platform
from collections.abc import Iterator

from prometheus_client import (
    GC_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector

# Telegram's answer to one request, by kind: a bounded set of label values.
RESULTS = ("ok", "rate_limited", "client_error", "server_error", "timeout", "network_error")


class _Errors(Collector):
    """limber_errors_total: ERROR log records of this process (bot/operator_counts.py counts
    them for /admin already; read at scrape time rather than counted twice)."""

    def collect(self) -> Iterator[Metric]:
        from bot.operator_counts import error_counter

        yield CounterMetricFamily(
            "limber_errors", "Records logged at ERROR or worse", value=error_counter().total
        )


class Metrics:
    def __init__(self, version: str = "unknown") -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        self.registry.register(GC_COLLECTOR)
        self.registry.register(_Errors())
        build = Gauge(
            "limber_build_info",
            "Always 1; the labels say which Limber runs",
            ["version", "python"],
            registry=self.registry,
        )
        build.labels(version=version, python=platform.python_version()).set(1)
        self.telegram_requests = Counter(
            "limber_telegram_requests_total",
            "Bot API requests by method and result (" + ", ".join(RESULTS) + ")",
            ["method", "result"],
            registry=self.registry,
        )
        self._calls: dict[tuple[str, str], Counter] = {}
        self.updates = Counter(
            "limber_updates_handled_total", "Telegram updates handled", registry=self.registry
        )
        self.nudges = Counter(
            "limber_nudges_total",
            "Nudges by outcome (sent, skipped_*, failed, blocked)",
            ["outcome"],
            registry=self.registry,
        )
        self.active_sessions = Gauge(
            "limber_active_sessions",
            "Live (active or paused) guided sessions",
            registry=self.registry,
        )
        self.tick_seconds = Histogram(
            "limber_nudge_tick_seconds",
            "Duration of one nudge tick",
            buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120),
            registry=self.registry,
        )
        self.send_seconds = Histogram(
            "limber_send_latency_seconds",
            "Latency of one nudge send to Telegram",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )

        # How long a session press waits for its answer (the spinner on the button), from the
        # handler's start to answerCallbackQuery: the slow-answer figure (README, "Several
        # workers"); a fleet past its budget shows here first. Buckets around the 200 ms a
        # person notices and the 2 s of a busy burst (docs/benchmarks.md).
        self.press_answer_seconds = Histogram(
            "limber_press_answer_seconds",
            "Time from a session button press reaching its handler to its answer",
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5),
            registry=self.registry,
        )

    def telegram_call(self, method: str, result: str) -> None:
        # Each labelled counter looked up once: labels() checks its arguments and locks on
        # every call, 3.1 us a call against 0.8 us for the whole of this (timeit), and it had
        # 35 of a 1,000-user burst's 5,242 py-spy samples. The keys are the bot's own methods
        # and outcomes, a few dozen at most.
        counter = self._calls.get((method, result))
        if counter is None:
            counter = self.telegram_requests.labels(method=method, result=result)
            self._calls[method, result] = counter
        counter.inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
