"""The period a figure is computed for (kpis.md: half-open `[from, to)` in the organisation's time
zone) and the moment it is computed at (`as_of`), validated once for the CLI, pages and jobs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from service_ops import clock
from service_ops.errors import N_, Invalid

EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)


@dataclass(frozen=True)
class Period:
    """`[start, end)` as dates; `last_day` is the date before `end`."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise Invalid(
                N_("The period must start before it ends ({start} is not before {end})."),
                field="from",
                start=self.start.isoformat(),
                end=self.end.isoformat(),
            )
        if self.start < EARLIEST or self.end > LATEST:  # year 1 or 9999 overflow once converted to UTC
            raise Invalid(
                N_("The period must lie between {earliest} and {latest}."),
                field="from" if self.start < EARLIEST else "to",
                earliest=EARLIEST.isoformat(),
                latest=LATEST.isoformat(),
            )

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def start_at(self) -> datetime:
        """The first moment of the period in the organisation's zone (aware)."""
        return datetime.combine(self.start, time(), tzinfo=clock.org_zone())

    @property
    def end_at(self) -> datetime:
        """The first moment after the period (aware)."""
        return datetime.combine(self.end, time(), tzinfo=clock.org_zone())

    def as_json(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}

    @classmethod
    def month(cls, day: date) -> Period:
        """The calendar month holding `day`."""
        first = day.replace(day=1)
        return cls(first, clock.add_months(first, 1))


def checked_as_of(as_of: datetime | None) -> datetime:
    """`as_of` as an aware datetime: now when absent; a moment in the future is refused."""
    current = clock.now()
    if as_of is None:
        return current
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=clock.org_zone())
    if as_of > current:
        raise Invalid(
            N_("as_of {as_of} is in the future: figures can only be computed for what has happened."),
            field="as_of",
            as_of=as_of.isoformat(),
        )
    return as_of


def local_date(moment: datetime) -> date:
    """The organisation's calendar date of a moment (date fields compare against this)."""
    return moment.astimezone(clock.org_zone()).date()
