"""The drill's verdict: the e-mails in Graph's Sent Items against the CLI over the complete data.

For every tenant measured in the month: exactly one report e-mail, plus a
correction e-mail only for a later version whose figures changed; the
figures of the last e-mail equal ``python -m sla_cli report`` over the
complete data (run in-process, through the CLI's own entry point); a
provisional report only after the delivery deadline. A tenant outside its
measurement window gets nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sla_cli import main as cli
from sla_core.holidays_nl import atw_holidays
from sla_core.periods import Month
from tests.drill.drill_graph import Mail, figures
from tests.drill.drill_world import ZONE, World

DEADLINE_WORKDAY, DEADLINE_TIME = 3, time(12, 0)  # measurement §8.5: the 3rd working day, 12:00 local


@dataclass
class Verdict:
    """The figures of the drill's closing line, and why each problem counted."""

    tenants: int
    delivered: int = 0
    duplicates: int = 0
    missing: int = 0
    wrong: int = 0
    corrections: int = 0
    last_delivered: datetime | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.delivered == self.tenants and not (self.duplicates or self.missing or self.wrong)

    def line(self) -> str:
        """``drill: N tenants, delivered N, duplicates 0, missing 0, wrong 0, last delivered <local time>``."""
        last = (
            "never"
            if self.last_delivered is None
            else self.last_delivered.astimezone(ZONE).strftime("%Y-%m-%d %H:%M %Z")
        )
        return (
            f"drill: {self.tenants} tenants, delivered {self.delivered}, duplicates {self.duplicates}, "
            f"missing {self.missing}, wrong {self.wrong}, last delivered {last}"
        )


def delivery_deadline(month: Month) -> datetime:
    """The delivery deadline of ``month``: the 3rd working day of the next month, 12:00 local."""
    day, count = month.shift(1).first_day(), 0
    while True:
        if day.isoweekday() <= 5 and day not in atw_holidays(day.year):
            count += 1
            if count == DEADLINE_WORKDAY:
                return datetime.combine(day, DEADLINE_TIME, ZONE)
        day += timedelta(days=1)


def cli_reports(world: World, folder: Path, as_of: datetime) -> dict[str, dict[str, Any]]:
    """Every measured tenant's report by the CLI over the complete data (``report-all``, cross-checked by ``report``)."""
    paths = world.export(folder)
    month = str(world.scenario.month)
    common = [
        "--month",
        month,
        "--events",
        str(paths["events"]),
        "--availability",
        str(paths["availability"]),
        "--contract",
        str(paths["contract"]),
        "--as-of",
        as_of.isoformat(),
    ]
    cli.run(["report-all", *common, "--out", str(folder / "cli"), "--jobs", "1"], as_of)
    reports = {t: json.loads((folder / "cli" / f"{t}-{month}.json").read_text()) for t in world.measured}
    first = world.measured[0]
    single = json.loads(cli.run(["report", "--tenant", first, *common], as_of))
    if figures(single) != figures(reports[first]):
        raise AssertionError(f"the CLI's report and report-all differ for {first}")
    return reports


def judge(world: World, mails: list[Mail], expected: dict[str, dict[str, Any]]) -> Verdict:
    """Count delivered, duplicate, missing and wrong tenants from the accepted mails of the month."""
    month = str(world.scenario.month)
    deadline = delivery_deadline(world.scenario.month)
    verdict = Verdict(tenants=len(world.measured))
    by_tenant: dict[str, list[Mail]] = {}
    for mail in mails:
        if mail.month == month:
            by_tenant.setdefault(mail.tenant, []).append(mail)
    for tenant in world.tenants:
        got = by_tenant.get(tenant.tenant, [])
        if not tenant.measured:
            if got:
                verdict.wrong += 1
                verdict.problems.append(f"{tenant.tenant}: not measured in {month}, yet got {len(got)} e-mail(s)")
            continue
        if not got:
            verdict.missing += 1
            verdict.problems.append(f"{tenant.tenant}: no report e-mail")
            continue
        verdict.delivered += 1
        _judge_tenant(verdict, tenant.tenant, got, expected[tenant.tenant], deadline)
    accepted = [m.accepted_at for m in mails if m.month == month and m.tenant in world.measured]
    verdict.last_delivered = max(accepted) if accepted else None
    return verdict


def _judge_tenant(verdict: Verdict, tenant: str, got: list[Mail], expected: dict[str, Any], deadline: datetime) -> None:
    """Count one measured tenant's e-mails; a tenant is wrong at most once, for every reason it has."""
    reasons = []
    first = got[0]
    if first.status == "provisional" and first.accepted_at < deadline:
        reasons.append(f"provisional report mailed at {first.accepted_at.isoformat()}, before the deadline")
    previous = first
    for later in got[1:]:
        if later.version == previous.version or later.digest == previous.digest:
            verdict.duplicates += 1
            verdict.problems.append(f"{tenant}: e-mail {later.tag} repeats {previous.tag} (same figures)")
        else:
            verdict.corrections += 1
        previous = later
    wanted = figures(expected)
    if previous.figures != wanted:
        changed = [k for k in wanted if previous.figures is None or previous.figures.get(k) != wanted[k]]
        reasons.append(
            f"last e-mail {previous.tag} differs from the CLI in {', '.join(changed)}"
            f" ({level_values(previous.figures or {})} != {level_values(expected)})"
        )
    if reasons:
        verdict.wrong += 1
        verdict.problems.extend(f"{tenant}: {reason}" for reason in reasons)


def level_values(report: dict[str, Any]) -> dict[str, Any]:
    """``{metric: value}`` of a report's service levels (for readable failure messages)."""
    levels = report.get("service_levels") or {}
    return {name: (level or {}).get("value") for name, level in levels.items()}


def days_between(start: datetime, end: datetime) -> list[date]:
    """The UTC dates from ``start`` to ``end``, both included."""
    day, last, days = start.astimezone(UTC).date(), end.astimezone(UTC).date(), []
    while day <= last:
        days.append(day)
        day += timedelta(days=1)
    return days
