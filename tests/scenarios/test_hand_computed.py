"""Hand-computed scenarios: the engine's `report --format json` against figures
worked out by hand from docs/measurement.md (arithmetic in README.md).

The expectations below are NOT derived from the engine. When a figure
disagrees, re-check the arithmetic in README.md; do not copy the engine's number.
Each scenario collects every mismatch and fails once with the full list.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PCT_TOL = 0.01  # percentage points
MIN_TOL = 0.01  # minutes

TICKET_METRICS = ("response_time", "restore_time_platform", "restore_time_application")


@dataclass
class Metric:
    decided: int
    within: int
    value: float | None
    met: bool
    by_priority: dict[str, tuple[int, int]]  # priority -> (decided, within)


@dataclass
class Scenario:
    sid: str
    folder: str
    tenant: str
    month: str
    as_of: str
    availability: dict  # scheduled, down, unknown, value, met, coverage
    load: dict  # value, samples, p95
    metrics: dict[str, Metric]
    # (ticket_id, metric, priority, outcome, decided_at, elapsed_minutes, target_minutes)
    outcomes: list[tuple] = field(default_factory=list)
    exclusions: bool = False
    incomplete: tuple = ()  # tickets without `opened` (measurement §2: listed as incomplete)


def M(decided, within, value, met, **bp):
    return Metric(decided, within, value, met, {k: tuple(v) for k, v in bp.items()})


SCENARIOS = [
    Scenario(
        sid="february: 1-month target opened 31 Jan breaches at the clamped 28 Feb, 2-month target from 31 Dec, pause on the calendar clock",
        folder="feb_month_targets",
        tenant="almelo",
        month="2026-02",
        as_of="2026-03-10T12:00:00+01:00",
        availability=dict(scheduled=14400, down=0, unknown=14340, value=100.0, met=True, coverage=60 / 14400),
        load=dict(value=100.0, samples=12, p95=1.0),
        metrics={
            "response_time": M(1, 1, 100.0, True, gemiddeld=(1, 1)),
            "restore_time_platform": M(0, 0, None, True),
            "restore_time_application": M(3, 1, 100 / 3, False, gemiddeld=(2, 1), laag=(1, 0)),
        },
        outcomes=[
            ("A2601-0031", "response_time", "gemiddeld", "met", "2026-02-02T08:00:00+01:00", 60, 240),
            (
                "A2601-0031",
                "restore_time_application",
                "gemiddeld",
                "breached",
                "2026-02-28T10:00:00+01:00",
                40320,
                40320,
            ),
            ("A2601-0026", "restore_time_application", "gemiddeld", "met", "2026-02-27T12:00:00+01:00", 43380, 44640),
            ("A2512-0031", "restore_time_application", "laag", "breached", "2026-02-28T12:00:00+01:00", 84960, 84960),
        ],
    ),
    Scenario(
        sid="march: business clock spans the DST weekend, breach decided at exactly Friday 19:00, pending 1-month target",
        folder="mar_dst",
        tenant="enschede",
        month="2026-03",
        as_of="2026-04-02T12:00:00+02:00",
        availability=dict(scheduled=15840, down=60, unknown=15720, value=50.0, met=False, coverage=120 / 15840),
        load=dict(value=100.0, samples=12, p95=1.2),
        metrics={
            "response_time": M(4, 3, 75.0, False, gemiddeld=(2, 2), hoog=(2, 1)),
            "restore_time_platform": M(2, 2, 100.0, True, gemiddeld=(1, 1), hoog=(1, 1)),
            "restore_time_application": M(1, 0, 0.0, False, hoog=(1, 0)),
        },
        outcomes=[
            ("M2603-0001", "response_time", "gemiddeld", "met", "2026-03-27T18:30:00+01:00", 30, 240),
            ("M2603-0001", "restore_time_platform", "gemiddeld", "met", "2026-03-30T13:00:00+02:00", 420, 480),
            ("M2603-0002", "response_time", "hoog", "met", "2026-03-27T16:45:00+01:00", 45, 120),
            ("M2603-0002", "restore_time_application", "hoog", "breached", "2026-03-30T12:00:00+02:00", 480, 480),
            ("M2603-0003", "response_time", "hoog", "breached", "2026-03-13T19:00:00+01:00", 120, 120),
            ("M2603-0003", "restore_time_platform", "hoog", "met", "2026-03-16T08:30:00+01:00", 210, 240),
            ("M2603-0004", "response_time", "gemiddeld", "met", "2026-03-16T10:30:00+01:00", 30, 240),
        ],
    ),
    Scenario(
        sid="april: Goede Vrijdag, Tweede Paasdag and Koningsdag stop the business clock; 1-month target across DST is 44580 minutes",
        folder="apr_holidays",
        tenant="tilburg",
        month="2026-04",
        as_of="2026-05-04T12:00:00+02:00",
        availability=dict(scheduled=13680, down=0, unknown=13620, value=100.0, met=True, coverage=60 / 13680),
        load=dict(value=100.0, samples=12, p95=0.8),
        metrics={
            "response_time": M(2, 2, 100.0, True, gemiddeld=(1, 1), hoog=(1, 1)),
            "restore_time_platform": M(1, 1, 100.0, True, gemiddeld=(1, 1)),
            "restore_time_application": M(2, 1, 50.0, False, hoog=(1, 1), gemiddeld=(1, 0)),
        },
        outcomes=[
            ("T2604-0001", "response_time", "gemiddeld", "met", "2026-04-07T08:00:00+02:00", 180, 240),
            ("T2604-0001", "restore_time_platform", "gemiddeld", "met", "2026-04-07T12:00:00+02:00", 420, 480),
            ("T2604-0002", "response_time", "hoog", "met", "2026-04-24T17:00:00+02:00", 60, 120),
            ("T2604-0002", "restore_time_application", "hoog", "met", "2026-04-28T11:00:00+02:00", 420, 480),
            (
                "T2603-0004",
                "restore_time_application",
                "gemiddeld",
                "breached",
                "2026-04-16T10:00:00+02:00",
                44580,
                44580,
            ),
        ],
    ),
    Scenario(
        sid="may: Bevrijdingsdag in a non-lustrum year, Hemelvaart and Tweede Pinksterdag; open ticket breached before month end; non-incident and non-attributable tickets ignored",
        folder="may_holidays",
        tenant="deventer",
        month="2026-05",
        as_of="2026-06-03T12:00:00+02:00",
        availability=dict(scheduled=12960, down=0, unknown=12900, value=100.0, met=True, coverage=60 / 12960),
        load=dict(value=100.0, samples=12, p95=0.9),
        metrics={
            "response_time": M(3, 3, 100.0, True, hoog=(2, 2), gemiddeld=(1, 1)),
            "restore_time_platform": M(2, 2, 100.0, True, gemiddeld=(1, 1), hoog=(1, 1)),
            "restore_time_application": M(1, 0, 0.0, False, hoog=(1, 0)),
        },
        outcomes=[
            ("D2605-0001", "response_time", "hoog", "met", "2026-05-04T16:00:00+02:00", 60, 120),
            ("D2605-0001", "restore_time_application", "hoog", "breached", "2026-05-06T11:00:00+02:00", 480, 480),
            ("D2605-0002", "response_time", "gemiddeld", "met", "2026-05-15T08:00:00+02:00", 180, 240),
            ("D2605-0002", "restore_time_platform", "gemiddeld", "met", "2026-05-15T12:00:00+02:00", 420, 480),
            ("D2605-0003", "response_time", "hoog", "met", "2026-05-22T14:30:00+02:00", 30, 120),
            ("D2605-0003", "restore_time_platform", "hoog", "met", "2026-05-26T10:00:00+02:00", 180, 240),
        ],
    ),
    Scenario(
        sid="june: pause patterns, priority upgrades, reopen after resolved, close without resolved, month boundary, tickets that must not count",
        folder="jun_pauses_priorities",
        tenant="zwolle",
        month="2026-06",
        as_of="2026-07-02T12:00:00+02:00",
        availability=dict(scheduled=15840, down=0, unknown=15780, value=100.0, met=True, coverage=60 / 15840),
        load=dict(value=100.0, samples=12, p95=0.7),
        metrics={
            "response_time": M(6, 6, 100.0, True, urgent=(1, 1), hoog=(2, 2), gemiddeld=(2, 2), laag=(1, 1)),
            "restore_time_platform": M(6, 5, 500 / 6, False, urgent=(2, 2), hoog=(3, 2), gemiddeld=(1, 1)),
            "restore_time_application": M(1, 1, 100.0, True, hoog=(1, 1)),
        },
        outcomes=[
            ("Z2606-0001", "response_time", "urgent", "met", "2026-06-01T09:20:00+02:00", 20, 60),
            ("Z2606-0001", "restore_time_platform", "urgent", "met", "2026-06-01T14:45:00+02:00", 105, 120),
            ("Z2606-0002", "response_time", "hoog", "met", "2026-06-02T10:30:00+02:00", 0, 120),
            ("Z2606-0002", "restore_time_platform", "hoog", "met", "2026-06-03T12:00:00+02:00", 180, 240),
            ("Z2606-0003", "response_time", "laag", "met", "2026-06-08T09:30:00+02:00", 30, 480),
            ("Z2606-0003", "restore_time_platform", "hoog", "met", "2026-06-08T12:30:00+02:00", 210, 240),
            ("Z2606-0004", "response_time", "gemiddeld", "met", "2026-06-09T09:15:00+02:00", 15, 240),
            ("Z2606-0004", "restore_time_platform", "hoog", "breached", "2026-06-09T13:00:00+02:00", 240, 240),
            ("Z2606-0005", "response_time", "hoog", "met", "2026-06-10T09:10:00+02:00", 10, 120),
            ("Z2606-0005", "restore_time_application", "hoog", "met", "2026-06-11T13:00:00+02:00", 360, 480),
            ("Z2606-0006", "response_time", "gemiddeld", "met", "2026-06-11T13:30:00+02:00", 210, 240),
            ("Z2606-0006", "restore_time_platform", "gemiddeld", "met", "2026-06-11T13:30:00+02:00", 210, 480),
            ("Z2605-0010", "restore_time_platform", "urgent", "met", "2026-06-01T07:30:00+02:00", 90, 120),
        ],
        incomplete=("Z2606-0009",),
    ),
    Scenario(
        sid="october: 2 tests x 3 locations with down, single-location, unknown, partly-outside and excluded outages around the DST end",
        folder="oct_availability",
        tenant="hengelo",
        month="2026-10",
        as_of="2026-11-03T12:00:00+01:00",
        exclusions=True,
        availability=dict(
            scheduled=15840, down=145, unknown=13770, value=1925 / 2070 * 100, met=False, coverage=2070 / 15840
        ),
        load=dict(value=2376 / 2388 * 100, samples=2388, p95=1.0),
        metrics={
            "response_time": M(1, 1, 100.0, True, gemiddeld=(1, 1)),
            "restore_time_platform": M(1, 0, 0.0, False, gemiddeld=(1, 0)),
            "restore_time_application": M(0, 0, None, True),
        },
        outcomes=[
            ("H2610-0001", "response_time", "gemiddeld", "met", "2026-10-23T17:20:00+02:00", 20, 240),
            ("H2610-0001", "restore_time_platform", "gemiddeld", "breached", "2026-10-26T13:00:00+01:00", 480, 480),
        ],
    ),
]


def run_report(sc: Scenario) -> dict:
    d = HERE / sc.folder
    cmd = [
        sys.executable,
        "-m",
        "sla_cli",
        "report",
        "--tenant",
        sc.tenant,
        "--month",
        sc.month,
        "--events",
        str(d / "events.jsonl"),
        "--availability",
        str(d / "availability.csv"),
        "--as-of",
        sc.as_of,
        "--format",
        "json",
    ]
    if sc.exclusions:
        cmd += ["--exclusions", str(d / "exclusions.json")]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"CLI failed ({proc.returncode}):\n{proc.stderr}\n{proc.stdout}"
    return json.loads(proc.stdout)


def _close(a, b, tol) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= tol


def _instant(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def compare(sc: Scenario, rep: dict) -> list[str]:
    bad: list[str] = []
    sl = rep.get("service_levels", {})

    # --- availability ---
    av = sl.get("availability", {})
    exp = sc.availability
    for key, ekey in (("scheduled_minutes", "scheduled"), ("down_minutes", "down"), ("unknown_minutes", "unknown")):
        if not _close(av.get(key), exp[ekey], MIN_TOL):
            bad.append(f"availability.{key}: engine {av.get(key)!r}, hand {exp[ekey]}")
    if not _close(av.get("value"), exp["value"], PCT_TOL):
        bad.append(f"availability.value: engine {av.get('value')!r}, hand {exp['value']}")
    if av.get("met") is not exp["met"]:
        bad.append(f"availability.met: engine {av.get('met')!r}, hand {exp['met']}")
    if "coverage" in av and av["coverage"] is not None:
        c = float(av["coverage"])
        if not (abs(c - exp["coverage"]) <= 1e-4 or abs(c - 100 * exp["coverage"]) <= PCT_TOL):
            bad.append(f"availability.coverage: engine {c!r}, hand {exp['coverage']:.6f} (fraction)")

    # --- load time ---
    lt = sl.get("load_time", {})
    if not _close(lt.get("value"), sc.load["value"], PCT_TOL):
        bad.append(f"load_time.value: engine {lt.get('value')!r}, hand {sc.load['value']}")
    if "samples" in lt and lt["samples"] != sc.load["samples"]:
        bad.append(f"load_time.samples: engine {lt['samples']!r}, hand {sc.load['samples']}")
    if "p95_seconds" in lt and not _close(lt["p95_seconds"], sc.load["p95"], 0.001):
        bad.append(f"load_time.p95_seconds: engine {lt['p95_seconds']!r}, hand {sc.load['p95']}")

    # --- ticket metrics ---
    for name in TICKET_METRICS:
        got = sl.get(name, {})
        em = sc.metrics[name]
        if got.get("decided") != em.decided:
            bad.append(f"{name}.decided: engine {got.get('decided')!r}, hand {em.decided}")
        if got.get("within") != em.within:
            bad.append(f"{name}.within: engine {got.get('within')!r}, hand {em.within}")
        if not _close(got.get("value"), em.value, PCT_TOL):
            bad.append(f"{name}.value: engine {got.get('value')!r}, hand {em.value}")
        if got.get("met") is not em.met:
            bad.append(f"{name}.met: engine {got.get('met')!r}, hand {em.met}")
        bp = got.get("by_priority") or {}
        for prio, (d, w) in em.by_priority.items():
            g = bp.get(prio) or {}
            if (g.get("decided"), g.get("within")) != (d, w):
                bad.append(f"{name}.by_priority.{prio}: engine {g!r}, hand decided={d} within={w}")
        for prio, g in bp.items():
            if prio not in em.by_priority and (g or {}).get("decided", 0):
                bad.append(f"{name}.by_priority.{prio}: engine {g!r}, hand: no decided outcome")

    # --- ticket outcomes ---
    got_out = {}
    for o in rep.get("outcomes", []):
        if o.get("outcome") in ("met", "breached"):
            key = (o.get("ticket_id"), o.get("metric"))
            if key in got_out:
                bad.append(f"outcome {key}: listed twice")
            got_out[key] = o
    exp_out = {(t, m): (p, oc, at, el, tg) for t, m, p, oc, at, el, tg in sc.outcomes}
    for key in sorted(set(got_out) - set(exp_out)):
        o = got_out[key]
        bad.append(
            f"outcome {key}: engine lists {o.get('outcome')} decided {o.get('decided_at')}, hand: not decided in {sc.month}"
        )
    for key in sorted(set(exp_out) - set(got_out)):
        bad.append(f"outcome {key}: missing, hand {exp_out[key]}")
    for key in sorted(set(exp_out) & set(got_out)):
        p, oc, at, el, tg = exp_out[key]
        o = got_out[key]
        if o.get("outcome") != oc:
            bad.append(f"outcome {key}.outcome: engine {o.get('outcome')!r}, hand {oc}")
        if o.get("priority") != p:
            bad.append(f"outcome {key}.priority: engine {o.get('priority')!r}, hand {p}")
        try:
            same = _instant(o.get("decided_at")) == _instant(at)
        except (TypeError, ValueError):
            same = False
        if not same:
            bad.append(f"outcome {key}.decided_at: engine {o.get('decided_at')!r}, hand {at}")
        if not _close(o.get("elapsed_minutes"), el, MIN_TOL):
            bad.append(f"outcome {key}.elapsed_minutes: engine {o.get('elapsed_minutes')!r}, hand {el}")
        if not _close(o.get("target_minutes"), tg, MIN_TOL):
            bad.append(f"outcome {key}.target_minutes: engine {o.get('target_minutes')!r}, hand {tg}")

    # --- incomplete tickets (key is not part of the stable interface: checked when present) ---
    if "incomplete_tickets" in rep:
        listed = {(i.get("ticket_id") if isinstance(i, dict) else i) for i in rep["incomplete_tickets"] or []}
        for tid in sc.incomplete:
            if tid not in listed:
                bad.append(f"incomplete_tickets: {tid} (no opened event) not listed")
    return bad


@pytest.mark.parametrize("sc", SCENARIOS, ids=[s.sid for s in SCENARIOS])
def test_hand_computed(sc: Scenario) -> None:
    rep = run_report(sc)
    assert rep.get("tenant") == sc.tenant and rep.get("month") == sc.month
    bad = compare(sc, rep)
    assert not bad, f"{len(bad)} figure(s) differ from the hand computation:\n  " + "\n  ".join(bad)
