"""Running as several instances: health and metrics endpoints, webhook mode, the Redis-backed
pieces that instances share (update dedup, cache invalidation, leases for singleton jobs and
the one polling process)."""
