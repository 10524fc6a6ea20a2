"""Deputies: who a Telegram user is (verification, binding), the registry
(五级人大代表信息库) and its files, and the console's registry page."""
