"""Serializer fields shared by every app."""

from __future__ import annotations

from datetime import datetime

from rest_framework import serializers

# Python's datetime ends at years 1 and 9999: converting `0001-01-01T00:00+05:00` to UTC, or
# adding an hour to the last minute of 9999, raises OverflowError (a 500) wherever it happens.
# Every date-time input is kept far inside that range, so no offset or duration the services add
# can cross it; no interview is ever scheduled outside these years.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2999


class DateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time input between EARLIEST_YEAR and LATEST_YEAR; others are a 400."""

    default_error_messages = {
        "out_of_range": f"Enter a date and time between the years {EARLIEST_YEAR} and "
        f"{LATEST_YEAR}.",
    }

    def enforce_timezone(self, value: datetime) -> datetime:
        self.check_range(value)
        return super().enforce_timezone(value)

    def check_range(self, value: datetime) -> None:
        """Refuse a year outside the range, as written: before any zone conversion overflows."""
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            self.fail("out_of_range")


class PrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related row's id: an integer a database key can hold, else a 400.

    A float (1e30) or an integer past 64 bits would reach the lookup, where the database
    driver overflows instead of finding nothing.
    """

    def to_internal_value(self, data: object) -> object:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            number = int(data)
        except ValueError:
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not -(2**63) <= number < 2**63:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(number)
