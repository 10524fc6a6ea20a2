"""Reference 12345 hotline intake server: the hotline side of the demo and of the tests.

A separate system from the bot: its own entry point (``python -m intake``), its own SQLite
database, a signed JSON API (``/api/v1``), an Open311 GeoReport v2 facade (``/open311/v2``)
and an operator console in Simplified Chinese (``/console``).
"""

from intake.server import RunningIntake, start_intake

__all__ = ["RunningIntake", "start_intake"]
