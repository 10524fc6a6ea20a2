"""How a report reaches 12345 and how its answer comes back.

`gateway` is the port (transport-free DTOs and errors), `http_adapter` speaks our signed JSON
intake API, `outbox` delivers queued messages with retries and dead letters, `callbacks` is the
web route the hotline calls back on.
"""
