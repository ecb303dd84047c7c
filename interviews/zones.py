"""Wall-clock times in a user's IANA zone <-> UTC, refusing the times a DST change makes unclear.

Everything is stored in UTC. A naive input time is read in the user's zone; one that the clock
skips (spring forward) or shows twice (fall back) is an error that says how to fix it, because
silently picking an offset books people an hour off.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime
from functools import cache


class ZoneError(ValueError):
    """The time cannot be placed on the UTC timeline as given; the message tells the user why."""


@cache
def zone(name: str) -> zoneinfo.ZoneInfo:
    """Return the zone, or raise ZoneError for a name that is not an IANA time zone."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ZoneError(f"'{name}' is not an IANA time zone name (e.g. Europe/Berlin).") from exc


def to_utc(value: datetime, zone_name: str) -> datetime:
    """Place a time on the UTC timeline; a naive one is a wall-clock time in zone_name."""
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    tz = zone(zone_name)
    first = value.replace(tzinfo=tz, fold=0)
    second = value.replace(tzinfo=tz, fold=1)
    shown = f"{value:%Y-%m-%d %H:%M}"
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != value:
        raise ZoneError(
            f"{shown} does not exist in {zone_name}: the clocks go forward at that moment. "
            "Pick a time after the change, or give an explicit UTC offset."
        )
    if first.utcoffset() != second.utcoffset():
        raise ZoneError(
            f"{shown} happens twice in {zone_name} because the clocks go back. Add the UTC "
            f"offset: {_offset(first)} for the first time, {_offset(second)} for the second."
        )
    return first.astimezone(UTC)


def _offset(value: datetime) -> str:
    return value.isoformat(timespec="minutes")


def local(value: datetime, zone_name: str) -> datetime:
    """Return the UTC time as a wall-clock time (with its offset) in the zone."""
    return value.astimezone(zone(zone_name))


def describe(value: datetime, zone_name: str) -> str:
    """Format a time for a message, naming its zone: 'Tue 30 Mar 2027, 18:00 CEST (Europe/…)'."""
    shown = local(value, zone_name)
    return f"{shown:%a %d %b %Y, %H:%M} {shown.tzname()} ({zone_name})"
