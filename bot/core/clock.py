"""China time: every deadline, day boundary and date shown to people is in UTC+8."""

from __future__ import annotations

from datetime import timedelta, timezone

CHINA_TIME = timezone(timedelta(hours=8))  # no daylight saving: a fixed offset is exact
