"""The HTML e-mail body: content, structure, images and escaping (SLA §9, §10.2)."""

from __future__ import annotations

import copy
import io
import zipfile
from typing import Any

import pytest

from sla_app.documents import RenderedReport
from sla_app.documents.charts import charts
from sla_app.documents.html_report import email_html
from sla_app.documents.ods_report import ods_bytes
from sla_core.report_text import actual_text, month_name, percent, target_text
from tests.documents.conftest import HOSTILE, TENANTS, Page
from tests.documents.expectations import check_content, shown


@pytest.mark.parametrize("tenant", TENANTS)
def test_html_says_everything_in_dutch(
    tenant: str, reports: dict[str, Any], rendered: dict[str, RenderedReport]
) -> None:
    page = Page(rendered[tenant].html)
    check_content(page.text, reports[tenant], evidence=False)


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
        assert year_cell.startswith(shown(year, trailing=True))


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
def test_every_breach_shows_its_actual_time_next_to_its_target(
    tenant: str, reports: dict[str, Any], rendered: dict[str, RenderedReport]
) -> None:
    report = reports[tenant]
    breached = Page(rendered[tenant].html).table("Meldingen niet binnen de streeftijd")
    assert breached["rows"][0] == [
        "Melding",
        "Service level",
        "Prioriteit",
        "Werkelijke tijd",
        "Streeftijd",
        "Overschreden op",
    ]
    expected = [o for o in report["outcomes"] if o["outcome"] == "breached"]
    assert [r[0] for r in breached["rows"][1:]] == [o["ticket_id"] for o in expected]
    for row, outcome in zip(breached["rows"][1:], expected):
        assert row[3] == actual_text(outcome) and row[4] == target_text(outcome)
        assert (
            outcome["actual_elapsed_minutes"] is None or outcome["actual_elapsed_minutes"] > outcome["target_minutes"]
        )


def test_sample_breach_reads_370_minutes_not_the_target(rendered: dict[str, RenderedReport]) -> None:
    rows = Page(rendered["enschede"].html).table("Meldingen niet binnen de streeftijd")["rows"]
    assert rows[1][:5] == ["M2605-0039", "Functiehersteltijd platform", "Hoog", "6 u 10 min", "4 u 00 min"]


@pytest.mark.parametrize("tenant", TENANTS)
def test_trend_table_has_every_month_from_counts(
    tenant: str, reports: dict[str, Any], rendered: dict[str, RenderedReport]
) -> None:
    report = reports[tenant]
    table = Page(rendered[tenant].html).table("Waarde per maand")
    months = report["trailing_12_months"]["by_month"]
    assert [r[0] for r in table["rows"][1:]] == [month_name(m["month"]) for m in months]
    for row, item in zip(table["rows"][1:], months):
        response = item["response_time"]
        assert row[2] == f"{percent(response['value'])} {response['within']} van {response['decided']}"


def test_not_counted_and_contact(reports: dict[str, Any]) -> None:
    report = reports["enschede"]
    page = Page(email_html(report, charts(report), "Servicedesk Stratech, 053 480 00 00"))
    rows = page.table("Meldingen van mei 2026 die niet zijn meegeteld")["rows"]
    assert rows[1][0] == "M2605-0057" and rows[1][1] == "Urgent" and "niet aan Leverancier toerekenbaar" in rows[1][3]
    assert "Vragen over deze rapportage: Servicedesk Stratech, 053 480 00 00" in page.text


def test_provisional_report_is_marked(reports: dict[str, Any]) -> None:
    report = copy.deepcopy(reports["enschede"]) | {"status": "provisional", "missing_days": ["2026-05-31"]}
    page = Page(email_html(report, charts(report)))
    assert "VOORLOPIGE SERVICERAPPORTAGE" in page.text.upper() and "Voorlopig." in page.text
    assert "31 mei" in page.text
    assert "Voorlopig" not in Page(email_html(reports["enschede"], charts(reports["enschede"]))).text


def test_email_html_of_a_large_month_stays_under_100_kb(reports: dict[str, Any]) -> None:
    """Mail clients clip a message body above ~100 KB: long lists are cut, the evidence is in the attachments."""
    report = copy.deepcopy(reports["enschede"])
    template = next(o for o in report["outcomes"] if o["outcome"] == "breached")
    report["outcomes"] = [dict(template, ticket_id=f"M2605-{i:04d}") for i in range(3000)]
    period = report["service_levels"]["availability"]["down_periods"][0]
    report["service_levels"]["availability"]["down_periods"] = [period] * 500
    report["exclusions"] = report["exclusions"] * 200
    report["not_counted"] = report["not_counted"] * 400
    report["incomplete_tickets"] = [{"ticket_id": f"M{i}", "reason": "geen prioriteit"} for i in range(2000)]
    html = email_html(report, charts(report), "Servicedesk Stratech")
    assert len(html.encode("utf-8")) < 100_000, len(html.encode("utf-8"))
    assert "En nog 2990 overschrijdingen" in html and "En nog 490 perioden" in html
    assert len(email_html(reports["enschede"], charts(reports["enschede"])).encode()) < 100_000


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
    check_content(page.text, edge_report, evidence=False)
    assert "niet gemeten" in page.text and "onvoldoende gemeten" in page.text
    assert "Er zijn in mei 2026 geen meldingen beoordeeld." in page.text
    assert "M2605-9999: geen opened-gebeurtenis" in page.text
    assert "Er is in mei 2026 geen niet-beschikbaarheid gemeten." in page.text
