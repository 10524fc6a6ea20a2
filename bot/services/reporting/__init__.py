"""Filing a report: the draft written in chat, the explained routing preview, the one transaction
that files it, photos, and the deputy's own list and timeline."""
