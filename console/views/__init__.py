"""One module per console feature; each exposes `pages` (a `ConsolePages`)."""
