"""The results CSV (measurement §3, §7): the fast path for common rows reads them as the field-by-field checks do."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from sla_core.availability_input import parse_instant, parse_results_csv
from sla_core.business_calendar import to_us
from sla_core.errors import InputError

HEADER = "TimeGenerated,Name,Location,Success,DurationMs"

stamps = st.builds(
    lambda y, mo, d, h, mi, s, frac, zone: f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}{frac}{zone}",
    st.integers(1999, 2101),
    st.integers(1, 12),
    st.integers(1, 31),  # the 31st of a 30-day month is no date
    st.integers(0, 24),  # 24 is no hour
    st.integers(0, 60),
    st.integers(0, 60),
    st.one_of(st.just(""), st.text("0123456789", min_size=1, max_size=10).map(lambda f: "." + f)),
    st.sampled_from(["Z", "Z", "Z", "+00:00", "+02:00", "", " "]),
)
rows = st.tuples(
    stamps,
    st.sampled_from(["Inloggen", " Inloggen", "Zoeken cliënt ", "", "Dossier openen"]),
    st.sampled_from(["West Europe", "North Europe ", "", "UK South"]),
    st.sampled_from(["True", "False", "true", "FALSE", " True", "1", "0", "ja", ""]),
    st.sampled_from(["812.5", "0", "-0.0", "-1", "nan", "inf", "1e3", " 7 ", "x", "1_000"]),
)


def reference(row: tuple[str, str, str, str, str]) -> tuple[int, str, str, bool, float] | None:
    """The row as the field-by-field checks read it; None when they refuse it."""
    stamp, name, location, success, duration = row
    flag = success.strip().lower()
    try:
        value = float(duration)
        at = to_us(parse_instant(stamp, "x", "TimeGenerated"))
    except (ValueError, InputError):
        return None
    if not name.strip() or not location.strip() or flag not in ("true", "false", "1", "0"):
        return None
    if not math.isfinite(value) or value < 0:
        return None
    return at, name.strip(), location.strip(), flag in ("true", "1"), value


@settings(max_examples=400, deadline=None)
@given(rows)
def test_a_row_is_read_as_the_field_by_field_checks_read_it(row: tuple[str, str, str, str, str]) -> None:
    expected = reference(row)
    lines = [HEADER, ",".join(row)]
    if expected is None:
        try:
            list(parse_results_csv(lines, "results.csv"))
        except InputError:
            return
        raise AssertionError(f"accepted a row the checks refuse: {row!r}")
    (result,) = parse_results_csv(lines, "results.csv")
    assert (result.at, result.name, result.location, result.success, result.duration_ms) == expected
