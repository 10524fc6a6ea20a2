"""aiogram routers, one module per feature. Handlers parse, call one service, render."""
