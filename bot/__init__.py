"""代表直通 12345: app wiring, configuration, entry point, services and hotline adapters."""
