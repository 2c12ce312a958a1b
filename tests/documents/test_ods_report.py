"""The ODS attachment: opens with odfpy, has the sheets, typed cells and one row per outcome."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from odf.namespaces import OFFICENS
from odf.opendocument import load
from odf.table import Table, TableCell, TableRow
from odf.text import P

from sla_app.documents import RenderedReport
from tests.documents.conftest import TENANTS

ODS = "application/vnd.oasis.opendocument.spreadsheet"
SHEETS = [
    "Samenvatting",
    "Verloop per maand",
    "Uitkomsten",
    "Lopende meldingen",
    "Niet meegeteld",
    "Niet-beschikbaarheid",
    "Uitsluitingen",
    "Beschikbaarheid per dag",
    "Uitgangspunten",
]


def sheets(data: bytes) -> dict[str, list[list[tuple[str | None, str | None, str]]]]:
    """Each sheet as rows of (value type, value, text) per cell."""
    document = load(io.BytesIO(data))
    result = {}
    for table in document.spreadsheet.getElementsByType(Table):
        rows = []
        for row in table.getElementsByType(TableRow):
            cells = []
            for cell in row.getElementsByType(TableCell):
                value_type = cell.getAttrNS(OFFICENS, "value-type")
                value = cell.getAttrNS(OFFICENS, "value") or cell.getAttrNS(OFFICENS, "date-value")
                cells.append((value_type, value, "".join(str(p) for p in cell.getElementsByType(P))))
            rows.append(cells)
        result[table.getAttribute("name")] = rows
    return result


def ods_of(result: RenderedReport) -> bytes:
    (ods,) = [a for a in result.attachments if a.content_type == ODS]
    return ods.data


@pytest.mark.parametrize("tenant", TENANTS)
def test_ods_has_sheets_and_one_row_per_outcome(
    tenant: str, reports: dict[str, Any], rendered: dict[str, RenderedReport]
) -> None:
    report = reports[tenant]
    data = ods_of(rendered[tenant])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist()[0] == "mimetype" and archive.read("mimetype") == ODS.encode()
        assert archive.getinfo("mimetype").compress_type == zipfile.ZIP_STORED, "mimetype stored uncompressed"
        manifest = archive.read("META-INF/manifest.xml").decode()
        assert all(f'full-path="{part}"' in manifest for part in ("/", "content.xml", "styles.xml", "meta.xml"))
        assert ODS in manifest and archive.testzip() is None
    book = sheets(data)
    assert list(book) == SHEETS
    outcomes = book["Uitkomsten"]
    assert outcomes[0][0][2] == "Melding" and len(outcomes) == 1 + len(report["outcomes"])
    for row, outcome in zip(outcomes[1:], report["outcomes"]):
        assert row[0][2] == outcome["ticket_id"]
        assert row[4][0] == "float" and float(row[4][1]) == pytest.approx(outcome["elapsed_minutes"], abs=0.1)
        actual = outcome["actual_elapsed_minutes"]
        if actual is not None:
            assert row[5][0] == "float" and float(row[5][1]) == pytest.approx(actual, abs=0.1)
            assert float(row[5][1]) <= actual, "truncated, never rounded up"
        assert row[6][0] == "float" and float(row[6][1]) == pytest.approx(outcome["target_minutes"])
        assert row[11][0] == "date" and row[11][1] == outcome["decided_at"][:19]
        assert row[3][2] == {"met": "binnen streeftijd", "breached": "overschreden"}[outcome["outcome"]]
    assert len(book["Uitsluitingen"]) == 1 + len(report["exclusions"])
    for row, exclusion in zip(book["Uitsluitingen"][1:], report["exclusions"]):
        assert row[3][2] == exclusion["reason"]
    days = book["Beschikbaarheid per dag"]
    assert len(days) == 1 + len(report["service_levels"]["availability"]["by_day"])
    assert len(book["Verloop per maand"]) == 1 + len(report["trailing_12_months"]["by_month"])
    assert [r[0][2] for r in book["Lopende meldingen"][1:]] == [o["ticket_id"] for o in report["pending"]]
    down = report["service_levels"]["availability"]["down_periods"]
    assert len(book["Niet-beschikbaarheid"]) == 1 + len(down)
    for row, period in zip(book["Niet-beschikbaarheid"][1:], down):
        assert row[0][1] == period["start"][:19] and float(row[2][1]) == pytest.approx(period["counted_minutes"])
    not_counted = [(r[0][2], r[3][2]) for r in book["Niet meegeteld"][1:]]
    expected = [(n["ticket_id"], n["reason"]) for n in report["not_counted"]]
    expected += [(i["ticket_id"], f"onvolledig: {i['reason']}") for i in report["incomplete_tickets"]]
    assert not_counted == expected


def test_ods_summary_values_are_typed_and_dutch(reports: dict[str, Any], rendered: dict[str, RenderedReport]) -> None:
    report = reports["enschede"]
    summary = sheets(ods_of(rendered["enschede"]))["Samenvatting"]
    rows: dict[str, Any] = {}
    for row in summary:
        if row:
            rows.setdefault(row[0][2], row)  # the first row of that name: the service levels table
    availability = rows["Beschikbaarheid"]
    assert availability[1][0] == "percentage" and float(availability[1][1]) == 0.994 and availability[1][2] == "99,40 %"
    value = report["service_levels"]["availability"]["value"]
    assert (
        float(availability[2][1]) == pytest.approx(value / 100, abs=1e-4) and float(availability[2][1]) <= value / 100
    )
    assert availability[3][2] == "gehaald"
    assert availability[7][2] == "onvoldoende gemeten", "the trailing year's coverage is under 90 %"
    platform = rows["Functiehersteltijd platform"]
    assert platform[3][2] == "niet gehaald" and platform[4][:2] == ("float", "12.0")
    assert rows["Contractversie"][1][2] == report["contract_version"]
    assert rows["Maand"][1][2] == "mei 2026"


def test_edge_report_ods(edge_report: dict[str, Any], edge_rendered: RenderedReport) -> None:
    book = sheets(ods_of(edge_rendered))
    assert len(book["Uitkomsten"]) == 1
    assert book["Uitsluitingen"][1][3][2] == edge_report["exclusions"][0]["reason"]


def test_ods_marks_not_counted_tickets_with_reason(
    reports: dict[str, Any], rendered: dict[str, RenderedReport]
) -> None:
    rows = sheets(ods_of(rendered["enschede"]))["Niet meegeteld"]
    assert [rows[1][0][2], rows[1][1][2], rows[1][3][2]] == ["M2605-0057", "Urgent", "niet toerekenbaar"]
