"""Reading a date an author wrote in YAML (a date, a datetime, or ISO text)."""
from __future__ import annotations

import datetime as _dt


def as_date(value: object) -> _dt.date | None:
    """The date ``value`` names, or None when it names none."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        return None
