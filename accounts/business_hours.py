"""Business hours: is the team in now, and when does it open next.

Pure functions over a ``BusinessHours`` row (or none): the API's validation
(``business_hours_clean``) and the one reading used everywhere
(``business_hours_state``): the session API and ``turn.ready``, the
out-of-office reply and automatic assignment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import BusinessHours
from core.errors import Unprocessable, ValidationError

DEFAULT_OUT_OF_OFFICE_MESSAGE = (
    "Olá! Nosso atendimento está fora do horário agora. "
    "Sua mensagem ficou registrada e responderemos assim que abrirmos."
)
MAX_PERIODS = 70
MAX_HOLIDAYS = 400
MAX_MESSAGE_CHARS = 1000
# How far ahead nextOpenAt is looked for (a year of holidays, then none).
LOOKAHEAD_DAYS = 400
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass(frozen=True)
class HoursState:
    open: bool
    next_open_at: datetime | None


def _minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def _refuse(message: str, field: str, detail: str) -> ValidationError:
    return ValidationError(message, details={field: [detail]})


def _unprocessable(message: str, field: str, detail: str) -> Unprocessable:
    # Hours of the documented shape that still cannot be kept (a zone no
    # database knows, a period ending before it starts): a 422, not a 400.
    return Unprocessable(message, details={field: [detail]})


def business_hours_clean(*, timezone: str, weekly: list, holidays: list) -> tuple[list, list]:
    """The weekly periods and holidays, checked and sorted; a clear 400 (422 for
    a zone or a period that cannot be) otherwise.

    A period closes on the day it opens: ``close`` is after ``open``, and
    ``"24:00"`` is the end of the day. A night shift is two periods
    (22:00–24:00, then 00:00–06:00 on the next weekday).
    """
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise _unprocessable(
            _("Unknown time zone %(zone)r.") % {"zone": timezone},
            "timezone",
            gettext_noop("Use an IANA name such as America/Sao_Paulo."),
        ) from None
    if not isinstance(weekly, list) or not isinstance(holidays, list):
        raise _refuse(
            _("weekly and holidays are lists."),
            "weekly" if not isinstance(weekly, list) else "holidays",
            gettext_noop("A list."),
        )
    if len(weekly) > MAX_PERIODS:
        raise _refuse(
            _("At most %(max)s weekly periods.") % {"max": MAX_PERIODS},
            "weekly",
            gettext_noop("Too many periods."),
        )
    periods = []
    for index, period in enumerate(weekly):
        if not (
            isinstance(period, dict)
            and type(period.get("weekday")) is int
            and 0 <= period["weekday"] <= 6
            and isinstance(period.get("open"), str)
            and isinstance(period.get("close"), str)
        ):
            raise _refuse(
                _("weekly[%(index)s] must be {weekday: 0-6, open: HH:MM, close: HH:MM}.")
                % {"index": index},
                "weekly",
                gettext_noop("Each period is {weekday, open, close}."),
            )
        opens, closes = period["open"], period["close"]
        for name, value in (("open", opens), ("close", closes)):
            if not (_HHMM.match(value) or (name == "close" and value == "24:00")):
                raise _refuse(
                    _("weekly[%(index)s].%(name)s must be a time HH:MM.")
                    % {"index": index, "name": name},
                    "weekly",
                    gettext_noop("Times are HH:MM (00:00 to 23:59; a close may be 24:00)."),
                )
        if _minutes(closes) <= _minutes(opens):
            raise _unprocessable(
                _(
                    "weekly[%(index)s] closes at %(close)s, not after it opens at %(open)s: "
                    "a period ends on its own day. Split a night shift in two "
                    "(until 24:00, then from 00:00 on the next weekday)."
                )
                % {"index": index, "open": opens, "close": closes},
                "weekly",
                gettext_noop("close must be after open on the same day."),
            )
        periods.append({"weekday": period["weekday"], "open": opens, "close": closes})
    periods.sort(key=lambda p: (p["weekday"], p["open"]))
    if len(holidays) > MAX_HOLIDAYS:
        raise _refuse(
            _("At most %(max)s holidays.") % {"max": MAX_HOLIDAYS},
            "holidays",
            gettext_noop("Too many holidays."),
        )
    days = {}
    for index, holiday in enumerate(holidays):
        try:
            day = holiday["date"]
            day = day if isinstance(day, date) else date.fromisoformat(day)
            name = holiday.get("name") or ""
            if not isinstance(name, str):
                raise TypeError(name)
        except (KeyError, TypeError, ValueError, AttributeError):
            raise _refuse(
                _("holidays[%(index)s] must be {date: YYYY-MM-DD, name}.") % {"index": index},
                "holidays",
                gettext_noop("Each holiday is {date, name}."),
            ) from None
        days[day.isoformat()] = name.strip()[:120]
    cleaned_holidays = [{"date": day, "name": name} for day, name in sorted(days.items())]
    return periods, cleaned_holidays


def business_hours_effective(organization_id, department_id) -> BusinessHours | None:
    """The hours that apply to a department's conversations (its own, else the
    organization's); one query."""
    match = Q(organization_id=organization_id)
    if department_id is not None:
        match |= Q(department_id=department_id)
    rows = {row.department_id is not None: row for row in BusinessHours.objects.filter(match)}
    return rows.get(True) or rows.get(False)


def _periods_of(hours: BusinessHours, weekday: int) -> list[tuple[int, int]]:
    return sorted(
        (_minutes(p["open"]), _minutes(p["close"])) for p in hours.weekly if p["weekday"] == weekday
    )


def business_hours_state(hours: BusinessHours | None, now: datetime) -> HoursState:
    """Open now, and when it opens next if it is closed.

    No hours, or hours not enabled: always open. Closed with no period in
    the weekly list (or only holidays ahead): ``next_open_at`` is None.
    Periods that touch (22:00–24:00 then 00:00–02:00) read as one.
    """
    if hours is None or not hours.enabled:
        return HoursState(True, None)
    zone = ZoneInfo(hours.timezone)
    local = now.astimezone(zone)
    holidays = {h["date"] for h in hours.holidays}
    minute = local.hour * 60 + local.minute
    today = local.date()
    if today.isoformat() not in holidays and any(
        start <= minute < end for start, end in _periods_of(hours, today.weekday())
    ):
        return HoursState(True, None)
    return HoursState(False, _next_open(hours, zone, today, minute, holidays))


def _next_open(hours, zone, today: date, minute: int, holidays: set) -> datetime | None:
    if not hours.weekly:
        return None
    for offset in range(LOOKAHEAD_DAYS):
        day = today + timedelta(days=offset)
        if day.isoformat() in holidays:
            continue
        for start, _end in _periods_of(hours, day.weekday()):
            if offset == 0 and start <= minute:
                continue
            opens = datetime.combine(day, time(start // 60, start % 60), tzinfo=zone)
            return opens.astimezone(ZoneInfo("UTC"))
    return None


def out_of_office_text(hours: BusinessHours) -> str:
    return hours.out_of_office_message or DEFAULT_OUT_OF_OFFICE_MESSAGE
