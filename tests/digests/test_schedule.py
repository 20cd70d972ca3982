"""Schedule rules and next due times: zones, quiet hours, daylight-saving changes."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from digests import i18n
from digests.schedule import ScheduleError, ScheduleSpec, next_due, parse_schedule
from storage.models import ScheduleKind


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("realtime", ScheduleSpec(ScheduleKind.REALTIME)),
        ("hourly", ScheduleSpec(ScheduleKind.HOURLY)),
        ("daily 8:00", ScheduleSpec(ScheduleKind.DAILY, time="08:00")),
        ("weekdays 07:30", ScheduleSpec(ScheduleKind.WEEKDAYS, time="07:30")),
        ("weekly Monday 9pm", ScheduleSpec(ScheduleKind.WEEKLY, time="21:00", weekday="mon")),
        ("0 8 * * mon-fri", ScheduleSpec(ScheduleKind.CRON, cron="0 8 * * mon-fri")),
        ("cron */30 * * * *", ScheduleSpec(ScheduleKind.CRON, cron="*/30 * * * *")),
        ("OFF", ScheduleSpec(ScheduleKind.OFF)),
    ],
)
def test_parse(text: str, spec: ScheduleSpec) -> None:
    assert parse_schedule(text) == spec


@pytest.mark.parametrize(
    "text", ["", "daily", "daily 25:00", "weekly funday 09:00", "cron 61 * * * *", "sometimes"]
)
def test_bad_schedules_get_usage(text: str) -> None:
    with pytest.raises(ScheduleError, match="Usage: /schedule"):
        parse_schedule(text)


def test_daily_in_the_chats_zone() -> None:
    spec = parse_schedule("daily 08:00")
    assert next_due(spec, "Asia/Tokyo", utc(2026, 3, 2, 0, 0)) == utc(2026, 3, 2, 23, 0)
    assert next_due(spec, "UTC", utc(2026, 3, 2, 8, 0)) == utc(2026, 3, 3, 8, 0)  # strictly after


def fires(spec: ScheduleSpec, tz: str, start: datetime, end: datetime) -> list[datetime]:
    found, after = [], start
    while (due := next_due(spec, tz, after)) is not None and due < end:
        found.append(due)
        after = due
    return found


def test_spring_forward_0230_is_sent_once() -> None:
    # Europe/Berlin skips 02:00-03:00 on 2026-03-29
    got = fires(
        parse_schedule("daily 02:30"), "Europe/Berlin", utc(2026, 3, 28, 12), utc(2026, 3, 30, 12)
    )
    assert got == [utc(2026, 3, 29, 1, 30), utc(2026, 3, 30, 0, 30)]


def test_fall_back_0230_is_sent_once() -> None:
    # Europe/Berlin repeats 02:00-03:00 on 2026-10-25
    got = fires(
        parse_schedule("daily 02:30"), "Europe/Berlin", utc(2026, 10, 24, 12), utc(2026, 10, 26, 12)
    )
    assert got == [utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]


def test_hourly_keeps_every_real_hour_across_fall_back() -> None:
    got = fires(
        parse_schedule("hourly"),
        "Europe/Berlin",
        utc(2026, 10, 24, 23, 30),
        utc(2026, 10, 25, 3, 30),
    )
    assert got == [utc(2026, 10, 25, h) for h in range(4)]


def test_realtime_batches_every_five_minutes() -> None:
    due = next_due(parse_schedule("realtime"), "UTC", utc(2026, 3, 2, 8, 1, 30))
    assert due == utc(2026, 3, 2, 8, 5)


def test_quiet_hours_move_a_digest_to_their_end() -> None:
    spec = parse_schedule("daily 23:00")
    due = next_due(spec, "Europe/Berlin", utc(2026, 6, 1, 12), quiet=("22:00", "07:00"))
    assert due == utc(2026, 6, 2, 5, 0)  # 07:00 CEST the next morning
    realtime = parse_schedule("realtime")
    assert next_due(realtime, "UTC", utc(2026, 6, 1, 3), quiet=("01:00", "06:00")) == utc(
        2026, 6, 1, 6
    )
    assert next_due(realtime, "UTC", utc(2026, 6, 1, 12), quiet=("01:00", "06:00")) == utc(
        2026, 6, 1, 12, 5
    )


def test_off_is_never_due_and_weekly_is_weekly() -> None:
    assert next_due(parse_schedule("off"), "UTC", utc(2026, 3, 2)) is None
    weekly = fires(parse_schedule("weekly wed 09:00"), "UTC", utc(2026, 3, 2), utc(2026, 3, 30))
    assert [d.weekday() for d in weekly] == [2] * 4
    assert all(b - a == timedelta(days=7) for a, b in itertools.pairwise(weekly))


SHOWN = [
    ScheduleSpec(ScheduleKind.DAILY, time="08:00"),
    ScheduleSpec(ScheduleKind.WEEKDAYS, time="07:30"),
    ScheduleSpec(ScheduleKind.WEEKLY, time="09:00", weekday="mon"),
    ScheduleSpec(ScheduleKind.WEEKLY, time="21:15", weekday="sun"),
    ScheduleSpec(ScheduleKind.HOURLY),
    ScheduleSpec(ScheduleKind.OFF),
]


@pytest.mark.parametrize("language", [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT])
def test_a_schedule_as_list_shows_it_is_taken_back_in_every_language(language: str) -> None:
    """A subscriber who copies what /list says ("ежедневно в 08:00") into /schedule gets that
    schedule; the words /schedule takes keep working in every language."""
    with i18n.use_language(language):
        for spec in [*SHOWN, ScheduleSpec(ScheduleKind.REALTIME)]:
            assert parse_schedule(spec.describe()) == spec, spec.describe()
        assert parse_schedule("weekly fri 18:00") == ScheduleSpec(
            ScheduleKind.WEEKLY, time="18:00", weekday="fri"
        )
        with pytest.raises(ScheduleError):
            parse_schedule(ScheduleSpec(ScheduleKind.DAILY, time="08:00").describe() + " 10:00")


def test_a_day_by_its_name_in_the_chats_language() -> None:
    with i18n.use_language("de"):
        shown = ScheduleSpec(ScheduleKind.WEEKLY, time="09:00", weekday="wed").describe()
        assert "Mittwoch" in shown
        assert parse_schedule(shown.replace("Mittwoch", "Mi")).weekday == "wed"
