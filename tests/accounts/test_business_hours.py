"""Business hours: open or closed and the next opening, across midnight, on
holidays and in other time zones; the API that sets them, and a
department's own hours."""

from datetime import UTC, datetime

import pytest

from accounts.business_hours import DEFAULT_OUT_OF_OFFICE_MESSAGE, business_hours_state
from accounts.models import BusinessHours, Department
from tests.support.api import assert_error


def hours(weekly, *, zone="America/Sao_Paulo", holidays=(), enabled=True):
    return BusinessHours(
        timezone=zone,
        weekly=[{"weekday": d, "open": o, "close": c} for d, o, c in weekly],
        holidays=[{"date": day, "name": ""} for day in holidays],
        enabled=enabled,
    )


def utc(*args):
    return datetime(*args, tzinfo=UTC)


# 2026-12-07 is a Monday. São Paulo is UTC-3 (no daylight saving since 2019).
WEEKDAYS_9_TO_18 = [(d, "09:00", "18:00") for d in range(5)]


def test_open_inside_a_period_in_the_organizations_zone():
    state = business_hours_state(hours(WEEKDAYS_9_TO_18), utc(2026, 12, 7, 12, 0))  # 09:00 local
    assert (state.open, state.next_open_at) == (True, None)
    state = business_hours_state(hours(WEEKDAYS_9_TO_18), utc(2026, 12, 7, 11, 59))  # 08:59
    assert (state.open, state.next_open_at) == (False, utc(2026, 12, 7, 12, 0))


def test_close_is_exclusive_and_the_next_day_is_found():
    state = business_hours_state(hours(WEEKDAYS_9_TO_18), utc(2026, 12, 7, 21, 0))  # 18:00
    assert (state.open, state.next_open_at) == (False, utc(2026, 12, 8, 12, 0))


def test_a_friday_evening_opens_on_monday():
    state = business_hours_state(hours(WEEKDAYS_9_TO_18), utc(2026, 12, 11, 22, 0))
    assert state.next_open_at == utc(2026, 12, 14, 12, 0)


def test_a_night_shift_across_midnight_is_two_periods_read_as_one():
    night = hours([(0, "22:00", "24:00"), (1, "00:00", "06:00")], zone="UTC")
    assert business_hours_state(night, utc(2026, 12, 7, 23, 59)).open
    assert business_hours_state(night, utc(2026, 12, 8, 0, 0)).open
    assert business_hours_state(night, utc(2026, 12, 8, 5, 59)).open
    after = business_hours_state(night, utc(2026, 12, 8, 6, 0))
    assert (after.open, after.next_open_at) == (False, utc(2026, 12, 14, 22, 0))


def test_several_periods_a_day():
    lunch_break = hours([(0, "08:00", "12:00"), (0, "13:00", "17:00")], zone="UTC")
    state = business_hours_state(lunch_break, utc(2026, 12, 7, 12, 30))
    assert (state.open, state.next_open_at) == (False, utc(2026, 12, 7, 13, 0))


def test_a_holiday_is_closed_all_day_and_skipped_for_the_next_opening():
    christmas = hours(WEEKDAYS_9_TO_18, holidays=["2026-12-25"])
    state = business_hours_state(christmas, utc(2026, 12, 25, 15, 0))  # Friday, 12:00 local
    assert (state.open, state.next_open_at) == (False, utc(2026, 12, 28, 12, 0))
    state = business_hours_state(christmas, utc(2026, 12, 24, 22, 0))  # Thursday evening
    assert state.next_open_at == utc(2026, 12, 28, 12, 0)


def test_the_days_are_the_zones_days():
    # 01:00 UTC on Tuesday is still Monday 22:00 in São Paulo and Tuesday
    # 10:00 in Tokyo.
    moment = utc(2026, 12, 8, 1, 0)
    evening = hours([(0, "20:00", "23:00")])
    assert business_hours_state(evening, moment).open
    morning = hours([(1, "09:00", "12:00")], zone="Asia/Tokyo")
    assert business_hours_state(morning, moment).open
    assert not business_hours_state(hours([(1, "09:00", "12:00")]), moment).open


def test_daylight_saving_moves_the_utc_opening():
    lisbon = hours([(d, "09:00", "18:00") for d in range(7)], zone="Europe/Lisbon")
    assert business_hours_state(lisbon, utc(2026, 7, 1, 7, 0)).next_open_at == utc(2026, 7, 1, 8, 0)
    assert business_hours_state(lisbon, utc(2026, 12, 7, 7, 0)).next_open_at == utc(
        2026, 12, 7, 9, 0
    )


def test_disabled_or_missing_hours_are_always_open():
    assert business_hours_state(None, utc(2026, 12, 7)).open
    assert business_hours_state(hours([], enabled=False), utc(2026, 12, 7)).open
    never = business_hours_state(hours([]), utc(2026, 12, 7))
    assert (never.open, never.next_open_at) == (False, None)


# --- the API ----------------------------------------------------------------

WEEK = {
    "weekly": [
        {"weekday": 0, "open": "09:00", "close": "12:00"},
        {"weekday": 0, "open": "13:00", "close": "18:00"},
    ],
    "holidays": [{"date": "2026-12-25", "name": "Natal"}, {"date": "2027-01-01"}],
    "outOfOfficeMessage": "Voltamos às 9h.",
    "enabled": True,
}


def test_the_organizations_hours_default_to_always_open_in_its_zone(api_client, organization):
    body = api_client.get("/api/v1/business-hours").json()
    assert body == {
        "timezone": organization.timezone,
        "weekly": [],
        "holidays": [],
        "outOfOfficeMessage": DEFAULT_OUT_OF_OFFICE_MESSAGE,
        "enabled": False,
        "inherited": False,
        "open": True,
        "nextOpenAt": None,
    }


def test_put_replaces_the_hours(api_client, organization):
    response = api_client.put("/api/v1/business-hours", WEEK, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["timezone"] == "America/Sao_Paulo"
    assert body["weekly"] == WEEK["weekly"]
    assert body["holidays"] == [
        {"date": "2026-12-25", "name": "Natal"},
        {"date": "2027-01-01", "name": ""},
    ]
    assert body["outOfOfficeMessage"] == "Voltamos às 9h."
    assert api_client.get("/api/v1/business-hours").json() == body
    response = api_client.put(
        "/api/v1/business-hours", {"timezone": "Europe/Lisbon", "enabled": True}, format="json"
    )
    assert (response.json()["timezone"], response.json()["weekly"]) == ("Europe/Lisbon", [])
    assert BusinessHours.objects.filter(organization=organization).count() == 1


@pytest.mark.parametrize(
    "change, field, status",
    [
        # Against the schema (a shape, a range, a pattern): 400.
        ({"weekly": [{"weekday": 7, "open": "09:00", "close": "10:00"}]}, "weekly", 400),
        ({"weekly": [{"weekday": 0, "open": "9:00", "close": "10:00"}]}, "weekly", 400),
        ({"weekly": [{"weekday": 0, "open": " 09:00", "close": "10:00"}]}, "weekly", 400),
        ({"weekly": [{"weekday": 0, "open": "24:00", "close": "24:00"}]}, "weekly", 400),
        ({"holidays": [{"date": "2026-02-30"}]}, "holidays", 400),
        ({"outOfOfficeMessage": "x" * 1001}, "outOfOfficeMessage", 400),
        ({"enabled": "maybe"}, "enabled", 400),
        # Well-formed, but no hours to keep: 422.
        ({"weekly": [{"weekday": 0, "open": "22:00", "close": "02:00"}]}, "weekly", 422),
        ({"weekly": [{"weekday": 0, "open": "09:00", "close": "09:00"}]}, "weekly", 422),
        ({"timezone": "Mars/Olympus"}, "timezone", 422),
    ],
)
def test_bad_hours_are_refused_and_change_nothing(api_client, change, field, status):
    api_client.put("/api/v1/business-hours", WEEK, format="json")
    before = api_client.get("/api/v1/business-hours").json()
    error = assert_error(
        api_client.put("/api/v1/business-hours", {**WEEK, **change}, format="json"), status
    )
    assert field in error["details"]
    assert api_client.get("/api/v1/business-hours").json() == before


def test_a_close_after_midnight_says_how_to_split_it(api_client):
    error = assert_error(
        api_client.put(
            "/api/v1/business-hours",
            {"weekly": [{"weekday": 4, "open": "22:00", "close": "02:00"}]},
            format="json",
        ),
        422,
    )
    assert "24:00" in error["message"] and "00:00" in error["message"]


def test_the_api_takes_json_only(api_client):
    response = api_client.put("/api/v1/business-hours", {"enabled": "true"}, format="multipart")
    assert_error(response, 415)


def test_a_department_inherits_then_overrides_then_inherits_again(api_client, organization):
    department = Department.objects.create(organization=organization, name="Plantão")
    url = f"/api/v1/departments/{department.pk}/business-hours"
    api_client.put("/api/v1/business-hours", WEEK, format="json")
    inherited = api_client.get(url).json()
    assert inherited["inherited"] is True
    assert inherited["weekly"] == WEEK["weekly"]

    own = {"weekly": [{"weekday": d, "open": "00:00", "close": "24:00"} for d in range(7)]}
    response = api_client.put(url, {**own, "enabled": True, "timezone": "UTC"}, format="json")
    assert response.status_code == 200
    body = api_client.get(url).json()
    assert (body["inherited"], body["open"], body["timezone"]) == (False, True, "UTC")
    assert api_client.get("/api/v1/business-hours").json()["weekly"] == WEEK["weekly"]

    assert api_client.delete(url).status_code == 204
    assert api_client.get(url).json()["inherited"] is True


def test_another_organizations_department_hours_are_a_404(
    api_client, other_api_client, organization
):
    department = Department.objects.create(organization=organization, name="Plantão")
    url = f"/api/v1/departments/{department.pk}/business-hours"
    assert_error(other_api_client.get(url), 404)
    assert_error(other_api_client.put(url, WEEK, format="json"), 404)
    assert_error(other_api_client.delete(url), 404)
    other_api_client.put("/api/v1/business-hours", WEEK, format="json")
    # Each organization has its own hours.
    assert api_client.get("/api/v1/business-hours").json()["enabled"] is False
