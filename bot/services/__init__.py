"""Use cases, transport-free: called alike by Telegram handlers, web consoles and the CLI."""
