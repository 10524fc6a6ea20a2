"""Persistence: SQLAlchemy 2 async models, repositories (never commit), unit of work, migrations.

Imports nothing from the layers above it (bot/, handlers/)."""
