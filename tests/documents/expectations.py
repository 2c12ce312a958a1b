"""What every rendering of a report must say, checked on extracted text (HTML or PDF), never on pixels.

The expectations are derived from the report JSON here, independently of the
renderer's own view model: Dutch percentages, verdicts, ticket numbers,
exclusion reasons, contract version, month, holidays and service hours.
"""

from __future__ import annotations

import re
from typing import Any

from sla_core.report_text import LEVEL_NAMES, month_name, percent
from sla_core.vocabulary import LEVELS

GLYPH = {
    "gehaald": "✔",
    "n.v.t. (gehaald)": "✔",
    "niet gehaald": "✘",
    "niet gemeten": "–",
    "onvoldoende gemeten": "–",
}
MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def verdict_text(level: dict[str, Any], trailing: bool = False) -> str:
    """The Dutch verdict the report must show for a service level block (measurement §8.8 for the trailing year)."""
    if level.get("decided") == 0:
        return "n.v.t. (gehaald)"
    if trailing and "coverage" in level and (level["coverage"] is None or level["coverage"] < 90):
        return "onvoldoende gemeten"
    return {True: "gehaald", False: "niet gehaald", None: "niet gemeten"}[level["met"]]


def shown(level: dict[str, Any], trailing: bool = False) -> str:
    """``99,65 % ✔ gehaald``: the value and its verdict as the summary shows them."""
    text = verdict_text(level, trailing)
    return f"{percent(level['value'])} {GLYPH[text]} {text}"


def squash(text: str) -> str:
    """Text without any whitespace: robust against line and hyphen breaks in extracted PDF text."""
    return re.sub(r"\s+", "", text)


def summary_segments(text: str, report: dict[str, Any]) -> dict[str, str]:
    """The summary's text per service level, from its name up to the next one's."""
    start = text.index("Samenvatting")
    end = text.index("Laadtijd", start)
    summary = text[start:end]
    names = [LEVEL_NAMES[m] for m in LEVELS]
    positions = [summary.index(name) for name in names] + [len(summary)]
    return {metric: summary[positions[i] : positions[i + 1]] for i, metric in enumerate(LEVELS)}


def check_summary(text: str, report: dict[str, Any]) -> None:
    """Per service level, in order: norm, the month's value and verdict, the trailing year's value and verdict."""
    segments = summary_segments(text, report)
    for metric, segment in segments.items():
        month = report["service_levels"][metric]
        year = report["trailing_12_months"][metric]
        pattern = ".*?".join(
            re.escape(part)
            for part in (LEVEL_NAMES[metric], percent(month["norm"]), shown(month), shown(year, trailing=True))
        )
        assert re.search(pattern, segment), f"{metric}: expected {pattern!r} in {segment!r}"


def check_content(text: str, report: dict[str, Any], evidence: bool = True) -> None:
    """Everything the report must mention, with Dutch formatting (``text`` has its whitespace normalized).

    ``evidence``: the document lists every decided outcome (the PDF); the e-mail lists the breached ones.
    """
    check_summary(text, report)
    flat = squash(text)
    assert month_name(report["month"]) in text
    assert report["contract_version"] in text
    for outcome in report["outcomes"]:
        if evidence or outcome["outcome"] == "breached":
            assert outcome["ticket_id"] in text
    for item in report.get("not_counted", []):
        assert item["ticket_id"] in text
    for item in report["trailing_12_months"].get("by_month", []):
        assert month_name(item["month"]) in text
    assert "(1 maanden)" not in text and "kalenderdagen" not in text
    for exclusion in report["exclusions"]:
        assert squash(exclusion["reason"]) in flat, exclusion["reason"]
    for closed in report["closed_dates"]:
        year, month, day = closed["date"].split("-")
        assert squash(f"{int(day)} {MONTHS[int(month) - 1]} {year}") in flat
        assert squash(closed["name"]) in flat
    for ranges in report["service_hours"].values():
        for start, end in ranges:
            assert f"{start}–{end}" in text
    load = report["service_levels"]["load_time"]
    assert percent(load["value"]) in text
    assert not re.search(r"\d\.\d\d %", text), "decimal point instead of comma"
    if not evidence:
        return
    appendix = text[text.index("Bijlage A") :]
    breached = sum(1 for o in report["outcomes"] if o["outcome"] == "breached")
    assert appendix.count("✘ nee") == breached
    assert appendix.count("✔ ja") == len(report["outcomes"]) - breached
