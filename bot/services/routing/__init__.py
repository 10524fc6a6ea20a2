"""Where a report goes: the router's directory (kept by admins), department edits, the review of
routing decisions, the triage queue and routing quality."""
