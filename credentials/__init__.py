"""Sign-in pieces that both consoles share: the admin console (bot/services/console/) and the
reference intake's operator console (intake/). Passwords, usernames, session tokens and the
lock-out counter live here once, so the two cannot drift apart.

Imports nothing of ours (argon2 and SQLAlchemy expressions only): the import contracts keep
intake/ independent of bot/, and both may depend on this."""
