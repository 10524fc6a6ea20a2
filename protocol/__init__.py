"""The wire protocol of our JSON intake API that both ends share: the v2 request signature.

Imports nothing of ours: the bot's client (bot/hotline/http/) and the reference intake
(intake/) both use it, neither depends on the other."""
