"""Prometheus metrics, one registry per Application.

A registry of its own (not the process-global default) so several Applications in one process
(tests, `try`) never collide, and each worker reports only what it did.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
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

    def render(self) -> bytes:
        return generate_latest(self.registry)
