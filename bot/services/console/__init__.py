"""The admin console's own use cases: accounts and sessions, paging helpers, the front page."""
