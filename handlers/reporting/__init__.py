"""Filing a report in chat (the guided flow, 代表随手拍) and the deputy's own reports (/my)."""
