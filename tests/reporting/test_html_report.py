"""The HTML e-mail body: content, structure, images and escaping (SLA §9, §10.2)."""

from __future__ import annotations

import copy
import io
import zipfile
from typing import Any

import pytest

from sla_app.reporting import RenderedReport
from sla_app.reporting.charts import charts
from sla_app.reporting.format_nl import instant_nl
from sla_app.reporting.html_report import email_html
from sla_app.reporting.ods_report import ods_bytes
from sla_core.report_text import percent
from tests.reporting.conftest import HOSTILE, TENANTS, Page
from tests.reporting.expectations import check_content, shown


@pytest.mark.parametrize("tenant", TENANTS)
def test_html_says_everything_in_dutch(
    tenant: str, reports: dict[str, Any], rendered: dict[str, RenderedReport]
) -> None:
    page = Page(rendered[tenant].html)
    check_content(page.text, reports[tenant])


@pytest.mark.parametrize("tenant", TENANTS)
def test_summary_table_has_norm_value_verdict_and_trailing_year(
    tenant: str, reports: dict[str, Any], rendered: dict[str, RenderedReport]
) -> None:
    report = reports[tenant]
    table = Page(rendered[tenant].html).table("Service levels in mei 2026")
    assert table["rows"][0] == ["Service level", "Norm", "mei 2026", "Voortschrijdend jaar"]
    rows = {row[0].split(" SLA ")[0]: row for row in table["rows"][1:]}
    names = {"availability": "Beschikbaarheid", "response_time": "Reactietijd"}
    names |= {
        "restore_time_platform": "Functiehersteltijd platform",
        "restore_time_application": "Functiehersteltijd applicatie",
    }
    assert set(rows) == set(names.values())
    for metric, name in names.items():
        month, year = report["service_levels"][metric], report["trailing_12_months"][metric]
        _, norm, month_cell, year_cell = rows[name]
        assert norm == percent(month["norm"])
        assert month_cell.startswith(shown(month))
        assert year_cell.startswith(shown(year))


@pytest.mark.parametrize("tenant", TENANTS)
def test_priority_tables_have_the_counts(
    tenant: str, reports: dict[str, Any], rendered: dict[str, RenderedReport]
) -> None:
    page = Page(rendered[tenant].html)
    for metric, name in (("response_time", "Reactietijd"), ("restore_time_platform", "Functiehersteltijd platform")):
        level = reports[tenant]["service_levels"][metric]
        rows = {row[0]: row[1:] for row in page.table(f"{name} (SLA")["rows"][1:]}
        for priority, tally in level["by_priority"].items():
            breached = tally["decided"] - tally["within"]
            assert rows[priority.capitalize()] == [
                str(tally["decided"]),
                str(tally["within"]),
                str(breached),
                percent(tally["value"]),
            ]
        assert rows["Totaal"][:2] == [str(level["decided"]), str(level["within"])]


@pytest.mark.parametrize("tenant", TENANTS)
def test_evidence_lists_every_decided_outcome(
    tenant: str, reports: dict[str, Any], rendered: dict[str, RenderedReport]
) -> None:
    report = reports[tenant]
    page = Page(rendered[tenant].html)
    evidence = [t for t in page.tables if t["caption"].startswith("Beoordeelde meldingen")]
    rows = [row for table in evidence for row in table["rows"][1:]]
    assert len(rows) == len(report["outcomes"])
    for outcome in report["outcomes"]:
        decided = instant_nl(outcome["decided_at"], report["timezone"])
        matching = [r for r in rows if r[0] == outcome["ticket_id"] and r[-1] == decided]
        assert len(matching) == 1, (outcome, matching)
        assert matching[0][4] == ("✔ ja" if outcome["outcome"] == "met" else "✘ nee")
        assert (matching[0][5] == "geen") == (not outcome["pauses"])
    breached = page.table("Meldingen niet binnen de streeftijd")["rows"][1:]
    assert sorted(r[0] for r in breached) == sorted(
        o["ticket_id"] for o in report["outcomes"] if o["outcome"] == "breached"
    )


def test_structure_is_accessible_and_mail_safe(reports: dict[str, Any], rendered: dict[str, RenderedReport]) -> None:
    result = rendered["enschede"]
    page = Page(result.html)
    html_tag = next(attrs for tag, attrs in page.tags if tag == "html")
    assert html_tag["lang"] == "nl"
    assert f"<title>{result.subject}</title>" in result.html
    assert all(t["caption"].strip() for t in page.tables), "every table has a caption"
    assert all(attrs.get("scope") in ("col", "row") for tag, attrs in page.tags if tag == "th")
    assert "<style" not in result.html and "<link" not in result.html and "<script" not in result.html
    assert "http://" not in result.html and "https://" not in result.html
    images = [attrs for tag, attrs in page.tags if tag == "img"]
    assert [img["src"] for img in images] == [f"cid:{cid}" for cid in result.inline_images]
    expected = {chart.content_id: chart.alt for chart in charts(reports["enschede"])}
    for img in images:
        assert img["alt"] == expected[img["src"][4:]] and len(img["alt"]) > 80


def test_no_personal_data(reports: dict[str, Any]) -> None:
    """Who recorded an exclusion (an e-mail address) stays out of every document (SLA §5.2.1)."""
    report = copy.deepcopy(reports["enschede"])
    report["exclusions"] = [dict(e, recorded_by="j.jansen@gemeente.example") for e in report["exclusions"]]
    html = email_html(report, charts(report))
    assert "jansen" not in html and "@" not in Page(html).text
    assert b"jansen" not in zipfile.ZipFile(io.BytesIO(ods_bytes(report))).read("content.xml")


def test_edge_report_escapes_text_and_says_not_measured(
    edge_report: dict[str, Any], edge_rendered: RenderedReport
) -> None:
    html = edge_rendered.html
    assert HOSTILE not in html and "<script>" not in html
    assert "&lt;script&gt;" in html
    page = Page(html)
    assert HOSTILE in page.text
    assert edge_rendered.subject == "Servicerapportage enschede — mei 2026"
    check_content(page.text, edge_report)
    assert "niet gemeten" in page.text and "onvoldoende gemeten" in page.text
    assert "Geen beoordeelde meldingen in mei 2026." in page.text
    assert "M2605-9999: geen opened-gebeurtenis" in page.text
    assert "Er is in mei 2026 geen niet-beschikbaarheid gemeten." in page.text
