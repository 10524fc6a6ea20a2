"""What every router shares: the error handler, the last-resort fallback, async filters, the
main keyboards."""
