"""A year of hotline calls and tickets, generated in creation order and handed out in chunks.

Times follow the season (air conditioners in summer), the week and the hour of the day in the
organisation's time zone. Ticket numbers use the app's format `T{yyyymmdd}{seq:05d}` with the day in
that zone; the per-day counts come back in `History.counters` so the app's counters can be set.
"""

from __future__ import annotations

import bisect
import math
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench.world import Row, World, new_mobile

CALL_COLUMNS = [
    "id",
    "direction",
    "phone",
    "customer",
    "agent",
    "received_at",
    "answered_at",
    "ended_at",
    "notes",
]
TICKET_COLUMNS = [
    "id", "number", "kind", "channel", "priority", "status", "customer", "unit", "region", "call",
    "description", "created_by", "created_at", "sla_policy", "response_due", "arrival_due",
    "resolve_due", "first_response_at", "resolved_at", "resolution", "cancelled_at", "cancel_reason",
]  # fmt: skip
DAY = 86400.0
WINDOW_DAYS = 365
MONTH_WEIGHT = [0.8, 0.7, 0.8, 0.9, 1.1, 1.4, 1.7, 1.6, 1.1, 0.9, 0.8, 0.9]  # Jan..Dec
WEEKDAY_WEIGHT = [1.05, 1.0, 1.0, 1.0, 1.0, 0.9, 0.8]  # Mon..Sun
HOUR_WEIGHT = [
    0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 1.0, 3.0, 5.5, 6.5, 6.0,
    4.5, 4.0, 5.5, 6.0, 5.5, 4.5, 3.5, 3.0, 2.5, 1.8, 1.0, 0.5,
]  # fmt: skip
KINDS = (["repair", "install", "maintenance", "consult"], [55, 18, 12, 15])
CHANNELS = (["phone", "wechat", "web", "retailer", "walk_in"], [68, 14, 10, 5, 3])
PRIORITIES = (["low", "normal", "high", "urgent"], [8, 76, 13, 3])
PROBLEMS = {
    "air_conditioner": [
        "空调不制冷，外机不转",
        "室内机漏水",
        "运行时异响",
        "显示故障代码 E1",
        "遥控器无反应",
    ],
    "washing_machine": ["脱水时异响很大", "不进水", "门锁打不开", "显示 E21 排水故障"],
    "refrigerator": ["冷藏室结冰", "不制冷", "压缩机噪音大", "门封条漏气"],
    "water_heater": ["点不着火，显示 E1", "水温忽冷忽热", "机身漏水"],
    "television": ["黑屏有声音", "无法开机", "屏幕有竖线"],
}
OTHER_WORK = {
    "install": ["新机上门安装，需要打孔", "新机安装调试", "搬家移机安装"],
    "maintenance": ["清洗保养", "年度安全检查", "更换滤网"],
    "consult": ["咨询保修期限", "咨询遥控器使用方法", "询问上门费用标准", "咨询以旧换新政策", "查询工单进度"],
}
WISHES = ["", "", "，客户希望上午上门", "，客户希望下午上门", "，客户希望周末上门", "，请先电话联系"]
RESOLUTIONS = {
    "repair": ["更换电容，试机正常", "更换排水泵", "补充冷媒，试机正常", "更换主板", "清理管路堵塞"],
    "install": ["安装完成，试机正常", "安装完成，已讲解使用方法"],
    "maintenance": ["清洗完成", "检查完成，运行正常"],
    "consult": ["已电话解答", "已告知保修政策", "已告知收费标准"],
}
CANCEL_REASONS = ["客户自行解决", "重复报修", "客户取消预约", "联系不上客户"]


@dataclass
class History:
    """What was generated, for the summary and for the app's counters."""

    counters: dict[str, int] = field(default_factory=dict)  # "ticket:yyyymmdd" -> last seq used
    statuses: Counter[str] = field(default_factory=Counter)
    tickets: int = 0
    calls: int = 0


def _day_starts(end: datetime, zone: ZoneInfo) -> list[tuple[float, date]]:
    """Local midnights (epoch seconds) from before the window start up to the end's day."""
    last = end.astimezone(zone).date()
    days = [last - timedelta(days=offset) for offset in range(WINDOW_DAYS + 1, -1, -1)]
    return [(datetime.combine(day, time(0), tzinfo=zone).timestamp(), day) for day in days]


def creation_times(rng: random.Random, count: int, end: datetime, zone: ZoneInfo) -> list[float]:
    """`count` sorted epoch times in the year before `end`, shaped by season, weekday and hour."""
    starts = _day_starts(end, zone)
    weights = [MONTH_WEIGHT[day.month - 1] * WEEKDAY_WEIGHT[day.weekday()] for _, day in starts]
    low, high = end.timestamp() - WINDOW_DAYS * DAY, end.timestamp()
    times: list[float] = []
    while len(times) < count:
        wanted = count - len(times)
        days = rng.choices(range(len(starts)), weights, k=wanted + wanted // 50 + 10)
        hours = rng.choices(range(24), HOUR_WEIGHT, k=len(days))
        for day, hour in zip(days, hours, strict=True):
            moment = starts[day][0] + hour * 3600 + rng.random() * 3600
            if low <= moment < high:
                times.append(moment)
    del times[count:]
    times.sort()
    return times


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


class _Generator:
    """State while walking through the year; one instance per run."""

    def __init__(self, world: World, rng: random.Random, end: datetime, zone: ZoneInfo) -> None:
        from tickets.sla import matching_policy  # the app's own rule, so generated dues match it

        self.world, self.rng, self.end = world, rng, end.timestamp()
        self.zone = zone
        self.unit_order = list(range(len(world.units)))
        rng.shuffle(self.unit_order)
        self.customer_order = list(range(len(world.customers)))
        rng.shuffle(self.customer_order)
        policies = [
            dict(
                zip(
                    [
                        "id",
                        "name",
                        "kind",
                        "priority",
                        "service_class",
                        "response_minutes",
                        "arrival_minutes",
                        "resolve_minutes",
                        "is_active",
                    ],
                    row,
                    strict=True,
                )
            )
            for row in world.policies
        ]
        self.policy: dict[tuple[str, str, str], dict[str, Any]] = {}
        for kind in KINDS[0]:
            for priority in PRIORITIES[0]:
                for klass in ("urban", "suburban", "rural"):
                    found = matching_policy(policies, kind, priority, klass)
                    assert found is not None, "the catch-all policy matches everything"
                    self.policy[kind, priority, klass] = found
        self.next_call = 1
        self.history = History()

    def skewed(self, order: list[int]) -> int:
        """An index where some customers / units call far more often than others (0-based)."""
        return order[int(len(order) * self.rng.random() ** 1.3)]

    def pick_unit(self, day: int) -> int:
        """A unit (0-based) bought before `day` when one can be found quickly."""
        index = self.skewed(self.unit_order)
        for _ in range(6):
            if self.world.unit_since[index] <= day:
                break
            index = self.skewed(self.unit_order)
        return index

    def pick_customer(self, day: int) -> int:
        index = self.skewed(self.customer_order)
        for _ in range(6):
            if self.world.customer_since[index] <= day:
                break
            index = self.skewed(self.customer_order)
        return index

    def call_row(self, phone: str, customer: int | None, agent: int, received: float, ended: float) -> Row:
        call_id, self.next_call = self.next_call, self.next_call + 1
        answered = received + self.rng.uniform(3, 45)
        notes = "" if self.rng.random() < 0.8 else "客户情绪激动，已安抚"
        self.history.calls += 1
        return (call_id, "inbound", phone, customer, agent, _ts(received), _ts(answered), _ts(ended), notes)

    def stray_call(self, around: float) -> Row:
        """A call that opened no ticket: a known customer asking something, or an unknown number."""
        rng, world = self.rng, self.world
        received = around + rng.uniform(0, 600)
        if rng.random() < 0.7:
            customer = self.pick_customer(int(received // DAY) + 719163)
            phone, customer_id = rng.choice(world.customer_phones[customer]), customer + 1
        else:
            phone, customer_id = new_mobile(rng, world.taken_phones), None
        ended = received + rng.uniform(40, 400)
        return self.call_row(phone, customer_id, rng.choice(world.agent_ids), received, ended)

    def outcome(self, kind: str, created: float, policy: dict[str, Any]) -> dict[str, Any]:
        """Status and the times of first response, resolution or cancellation, as seen at `end`."""
        rng, end = self.rng, self.end
        visit = kind != "consult"
        first = created + (_lognormal(rng, 18 * 60, 0.8) if visit else rng.uniform(0, 90))
        resolved = created + (_lognormal(rng, 26 * 3600, 0.7) if visit else _lognormal(rng, 6 * 60, 1.2))
        resolved = max(resolved, first)
        result: dict[str, Any] = {
            "first": first if first <= end else None,
            "resolved": None,
            "cancelled": None,
        }
        if rng.random() < 0.03:
            cancelled = created + _lognormal(rng, 3 * 3600, 1.0)
            if cancelled <= end:
                result.update(status="cancelled", cancelled=cancelled)
                if result["first"] is not None and result["first"] > cancelled:
                    result["first"] = None
                return result
        if resolved <= end and rng.random() >= 0.004:  # a few tickets get stuck open
            closed = end - resolved > 3 * DAY and rng.random() < 0.93
            result.update(status="closed" if closed else "resolved", resolved=resolved)
        elif result["first"] is None or not visit:
            result["status"] = "new"
        else:
            waited = end - result["first"]
            result["status"] = (
                "dispatched" if waited < 7200 else "accepted" if waited < 28800 else "in_progress"
            )
        return result

    def ticket(self, ticket_id: int, created: float, number: str) -> tuple[Row, Row | None]:
        rng, world = self.rng, self.world
        kind = rng.choices(*KINDS)[0]
        day = int(created // DAY) + 719163  # proleptic ordinal of the UTC day
        unit: int | None
        if kind == "consult":
            customer = self.pick_customer(day)
            owned = world.customer_units[customer]
            unit = rng.choice(owned) - 1 if rng.random() < 0.5 else None
        else:
            unit = self.pick_unit(day)
            customer = world.unit_customer[unit] - 1
        channel = rng.choices(*CHANNELS)[0]
        priority = rng.choices(*PRIORITIES)[0]
        region = world.customer_region[customer]
        policy = self.policy[kind, priority, world.region_class[region]]
        if kind in OTHER_WORK:
            problem = rng.choice(OTHER_WORK[kind])
        else:
            problem = rng.choice(PROBLEMS[world.unit_category[unit if unit is not None else 0]])
        call: Row | None = None
        if channel == "phone":
            agent = rng.choice(world.agent_ids)
            received = created - rng.uniform(60, 480)
            phone = rng.choice(world.customer_phones[customer])
            call = self.call_row(phone, customer + 1, agent, received, created + rng.uniform(20, 240))
        else:
            agent = rng.choice(world.hotline_user_ids)
        done = self.outcome(kind, created, policy)
        self.history.statuses[done["status"]] += 1
        arrival = policy["arrival_minutes"] if kind != "consult" else None
        row = (
            ticket_id,
            number,
            kind,
            channel,
            priority,
            done["status"],
            customer + 1,
            None if unit is None else unit + 1,
            region,
            None if call is None else call[0],
            problem + rng.choice(WISHES),
            agent,
            _ts(created),
            policy["id"],
            _ts(created + policy["response_minutes"] * 60),
            None if arrival is None else _ts(created + arrival * 60),
            _ts(created + policy["resolve_minutes"] * 60),
            _ts_or_none(done["first"]),
            _ts_or_none(done["resolved"]),
            rng.choice(RESOLUTIONS[kind]) if done["resolved"] else "",
            _ts_or_none(done["cancelled"]),
            rng.choice(CANCEL_REASONS) if done["cancelled"] else "",
        )
        return row, call


def _ts(moment: float) -> datetime:
    return datetime.fromtimestamp(moment, UTC)


def _ts_or_none(moment: float | None) -> datetime | None:
    return None if moment is None else datetime.fromtimestamp(moment, UTC)


def history_chunks(
    world: World, rng: random.Random, *, tickets: int, end: datetime, zone: ZoneInfo, chunk: int = 50_000
) -> Iterator[tuple[list[Row], list[Row], History]]:
    """Yield (calls, tickets, running totals) in creation order, `chunk` tickets at a time."""
    generator = _Generator(world, rng, end, zone)
    starts = _day_starts(end, zone)
    boundaries = [start for start, _ in starts]
    calls: list[Row] = []
    rows: list[Row] = []
    for ticket_id, created in enumerate(creation_times(rng, tickets, end, zone), start=1):
        day = starts[bisect.bisect_right(boundaries, created) - 1][1]
        key = f"ticket:{day:%Y%m%d}"
        seq = generator.history.counters.get(key, 0) + 1
        generator.history.counters[key] = seq
        row, call = generator.ticket(ticket_id, created, f"T{day:%Y%m%d}{seq:05d}")
        if call is not None:
            calls.append(call)
            if rng.random() < 0.25:
                calls.append(generator.stray_call(created))
        rows.append(row)
        if len(rows) >= chunk:
            generator.history.tickets += len(rows)
            yield calls, rows, generator.history
            calls, rows = [], []
    generator.history.tickets += len(rows)
    if rows or calls:
        yield calls, rows, generator.history
