"""Writes the availability.csv files of the hand-computed scenarios.

Run once from the repository root: ``python tests/scenarios/_generate_availability.py``.
The CSVs are committed; this script only documents how they were made. The
EXPECTED figures are not computed here: they are hand arithmetic in README.md.

Every row is one test result, stamped inside its 5-minute slot (slot start plus
a few minutes/seconds), in UTC ("Z"). Columns as the KQL export of
AppAvailabilityResults: TimeGenerated,Name,Location,Success,DurationMs.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = ["TimeGenerated", "Name", "Location", "Success", "DurationMs"]
FAILED_MS = 30000  # failed results: a timeout-like duration (must not enter the load-time figure)


def utc(s: str) -> datetime:
    return datetime.fromisoformat(s).astimezone(UTC)


def stamp(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write(path: Path, rows: list[tuple]) -> None:
    rows = sorted(rows, key=lambda r: (r[0], r[1], r[2]))
    with path.open("w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(HEADER)
        for t, name, loc, ok, ms in rows:
            w.writerow([stamp(t), name, loc, "true" if ok else "false", ms])


def block(start_local: str, n_slots: int, name: str, loc: str, ok: bool, ms: int) -> list[tuple]:
    """One result per 5-minute slot, n_slots slots from start_local (an aligned slot start)."""
    t0 = utc(start_local)
    return [(t0 + timedelta(minutes=5 * i, seconds=17), name, loc, ok, ms if ok else FAILED_MS) for i in range(n_slots)]


def simple() -> None:
    P, W = "Perspectief portaal", "West Europe"
    # March 2026 (DST on Sunday 29 March).
    write(
        HERE / "mar_dst" / "availability.csv",
        block("2026-03-27T18:30:00+01:00", 12, P, W, False, 0)  # Fri 18:30-19:30 CET
        + block("2026-03-30T06:30:00+02:00", 12, P, W, False, 0)  # Mon 06:30-07:30 CEST
        + block("2026-03-30T07:30:00+02:00", 12, P, W, True, 1200),
    )  # Mon 07:30-08:30 CEST
    # April 2026.
    write(
        HERE / "apr_holidays" / "availability.csv",
        block("2026-04-03T10:00:00+02:00", 12, P, W, False, 0)  # Goede Vrijdag
        + block("2026-04-07T10:00:00+02:00", 12, P, W, True, 800)  # Tue, working day
        + block("2026-04-27T10:00:00+02:00", 12, P, W, False, 0),
    )  # Koningsdag
    # May 2026.
    write(
        HERE / "may_holidays" / "availability.csv",
        block("2026-05-05T10:00:00+02:00", 12, P, W, False, 0)  # Bevrijdingsdag
        + block("2026-05-06T10:00:00+02:00", 12, P, W, True, 900)  # Wed, working day
        + block("2026-05-14T10:00:00+02:00", 12, P, W, False, 0)  # Hemelvaartsdag
        + block("2026-05-25T10:00:00+02:00", 12, P, W, False, 0),
    )  # Tweede Pinksterdag
    # February 2026.
    write(
        HERE / "feb_month_targets" / "availability.csv",
        block("2026-02-02T10:00:00+01:00", 12, P, W, True, 1000)  # Mon, working day
        + block("2026-02-07T10:00:00+01:00", 12, P, W, False, 0),
    )  # Saturday
    # June 2026.
    write(
        HERE / "jun_pauses_priorities" / "availability.csv",
        block("2026-06-01T09:00:00+02:00", 12, P, W, True, 700)  # Mon 09:00-10:00
        + block("2026-06-01T19:00:00+02:00", 12, P, W, False, 0),
    )  # Mon 19:00-20:00 (outside)


def october() -> None:
    """2 tests x 3 locations, results 06:00-20:00 local on Fri 23, Mon 26, Tue 27 October 2026."""
    P, A = "Perspectief portaal", "Perspectief api"
    W, N, F = "West Europe", "North Europe", "France Central"
    LOCS = [W, N, F]
    days = {"2026-10-23": "+02:00", "2026-10-26": "+01:00", "2026-10-27": "+01:00"}

    def L(day: str, hhmm: str) -> datetime:
        return utc(f"{day}T{hhmm}:00{days[day]}")

    def within(t: datetime, day: str, a: str, b: str) -> bool:
        return L(day, a) <= t < L(day, b)

    rows: list[tuple] = []
    for day in days:
        start = L(day, "06:00")
        for i in range(14 * 12):  # 06:00 .. 19:55 local
            slot = start + timedelta(minutes=5 * i)
            for test in (P, A):
                for k, loc in enumerate(LOCS):
                    t = slot + timedelta(minutes=k, seconds=11 + 7 * k)
                    ok, ms = True, 1000
                    # --- gaps (no result at all) ---
                    if day == "2026-10-26" and within(slot, day, "12:00", "13:00"):
                        continue  # G1: both tests missing
                    if day == "2026-10-26" and test == A and within(slot, day, "14:00", "14:30"):
                        continue  # G2: api missing, portaal up
                    if day == "2026-10-27" and test == A and within(slot, day, "09:00", "09:30"):
                        continue  # E5: api missing, portaal down
                    # --- failures ---
                    if day == "2026-10-23" and test == P and loc in (W, N) and within(slot, day, "10:00", "10:30"):
                        ok = False  # E1: 2 locations
                    if day == "2026-10-23" and test == A and loc == F and within(slot, day, "12:00", "13:00"):
                        ok = False  # E2: 1 location only
                    if day == "2026-10-23" and test == A and loc in (W, N) and within(slot, day, "18:30", "19:30"):
                        ok = False  # E3: half outside service hours
                    if day == "2026-10-26" and test == P and loc in (W, F) and within(slot, day, "06:30", "07:30"):
                        ok = False  # E4: half before 07:00 CET
                    if day == "2026-10-27" and test == P and loc in (W, N) and within(slot, day, "09:00", "09:30"):
                        ok = False  # E5: portaal down, api unknown
                    if day == "2026-10-27" and test == P and loc in (W, N) and within(slot, day, "14:00", "15:00"):
                        ok = False  # E7: 14:00-14:40 excluded
                    if (
                        day == "2026-10-27"
                        and within(slot, day, "16:00", "16:30")
                        and ((test == P and loc == W) or (test == A and loc == N))
                    ):
                        ok = False  # E8: 2 locations, but of different tests
                    # --- durations of successful results ---
                    if day == "2026-10-23" and test == A and loc == W and within(slot, day, "08:00", "09:00"):
                        ms = 4500  # slow, inside service hours
                    if day == "2026-10-26" and test == P and loc == N and within(slot, day, "10:00", "10:30"):
                        ms = 3000  # exactly the target: within
                    if day == "2026-10-27" and test == P and within(slot, day, "06:00", "07:00"):
                        ms = 5000  # slow, outside service hours
                    rows.append((t, test, loc, ok, ms if ok else FAILED_MS))
    # E6: Tue 27 Oct 11:00-11:05 CET: portaal W and N also report one failed result in the slot.
    s = L("2026-10-27", "11:00")
    rows.append((s + timedelta(minutes=3, seconds=40), P, W, False, FAILED_MS))
    rows.append((s + timedelta(minutes=3, seconds=50), P, N, False, FAILED_MS))
    write(HERE / "oct_availability" / "availability.csv", rows)


if __name__ == "__main__":
    simple()
    october()
