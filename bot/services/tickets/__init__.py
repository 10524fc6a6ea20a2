"""A ticket's life at the hotline: status events and what the deputy is told, deadlines on the
working-day calendar, the deadline watch, dead letters."""
