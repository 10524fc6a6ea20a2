"""What a running process counts for Prometheus (`GET /metrics` on the bot's web app).

One registry per process (each bot instance and worker is scraped on its own; Prometheus adds
them up). Layers count through the small functions below, never through prometheus_client
itself, so a service says *what happened* (`delivered("http")`) and this room decides the
metric's name and labels. Names follow Prometheus' conventions: `_total` counters, `_seconds`
histograms, one family per kind of event with a label for the variant."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

_UPDATES = Counter(
    "bot_updates_total", "Telegram updates handled, by handler", ["handler"], registry=REGISTRY
)
_LATENCY = Histogram(
    "bot_update_seconds",
    "Time to handle one update (middlewares included), by handler",
    ["handler"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
_ERRORS = Counter(
    "bot_errors_total", "Exceptions that escaped a handler or a job, by where", ["where"],
    registry=REGISTRY,
)  # fmt: skip
_DUPLICATES = Counter(
    "bot_duplicate_updates_total",
    "Updates delivered again (a webhook retry) and not handled twice",
    registry=REGISTRY,
)
OUTBOX_DEPTH = Gauge(
    "outbox_queue_depth", "Outbox messages waiting for delivery", registry=REGISTRY
)
OUTBOX_OLDEST = Gauge(
    "outbox_oldest_age_seconds",
    "Age of the oldest outbox message waiting for delivery (0 when none)",
    registry=REGISTRY,
)
_DELIVERIES = Counter(
    "hotline_deliveries_total", "Outbox messages delivered, by adapter", ["adapter"],
    registry=REGISTRY,
)  # fmt: skip
_RETRIES = Counter(
    "hotline_retries_total", "Failed deliveries scheduled again, by adapter", ["adapter"],
    registry=REGISTRY,
)  # fmt: skip
_DEAD = Counter(
    "hotline_dead_letters_total", "Outbox messages given up on, by adapter", ["adapter"],
    registry=REGISTRY,
)  # fmt: skip
_CALLBACKS = Counter(
    "hotline_callbacks_total",
    "Status callbacks from the hotline, by outcome (accepted / refused)",
    ["outcome"],
    registry=REGISTRY,
)
_SIGN_INS = Counter(
    "console_sign_ins_total",
    "Admin console sign-in attempts, by outcome (ok / failed / locked / inactive)",
    ["outcome"],
    registry=REGISTRY,
)
_LOCKOUTS = Counter(
    "console_lockouts_total", "Console accounts locked after wrong passwords", registry=REGISTRY
)
_JOB_PASSES = Counter(
    "jobs_passes_total", "Periodic job passes run on this instance, by job", ["job"],
    registry=REGISTRY,
)  # fmt: skip
JOBS_LEADER = Gauge(
    "jobs_leader", "1 while this instance holds the singleton jobs' lease", registry=REGISTRY
)


def update_handled(handler: str, seconds: float) -> None:
    _UPDATES.labels(handler).inc()
    _LATENCY.labels(handler).observe(seconds)


def error(where: str) -> None:
    _ERRORS.labels(where).inc()


def duplicate_update() -> None:
    _DUPLICATES.inc()


def delivered(adapter: str, count: int = 1) -> None:
    _DELIVERIES.labels(adapter).inc(count)


def retried(adapter: str) -> None:
    _RETRIES.labels(adapter).inc()


def dead_lettered(adapter: str) -> None:
    _DEAD.labels(adapter).inc()


def callback(accepted: bool) -> None:
    _CALLBACKS.labels("accepted" if accepted else "refused").inc()


def sign_in(outcome: str) -> None:
    _SIGN_INS.labels(outcome).inc()


def lockout() -> None:
    _LOCKOUTS.inc()


def job_pass(job: str) -> None:
    _JOB_PASSES.labels(job).inc()


def exposition() -> bytes:
    """Everything counted so far, in Prometheus' text format."""
    return generate_latest(REGISTRY)
