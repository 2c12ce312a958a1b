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

from sla_app.reporting import RenderedReport
from tests.reporting.conftest import TENANTS

ODS = "application/vnd.oasis.opendocument.spreadsheet"
SHEETS = ["Samenvatting", "Uitkomsten", "Uitsluitingen", "Beschikbaarheid per dag", "Uitgangspunten"]


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
    book = sheets(data)
    assert list(book) == SHEETS
    outcomes = book["Uitkomsten"]
    assert outcomes[0][0][2] == "Melding" and len(outcomes) == 1 + len(report["outcomes"])
    for row, outcome in zip(outcomes[1:], report["outcomes"]):
        assert row[0][2] == outcome["ticket_id"]
        assert row[4][0] == "float" and float(row[4][1]) == pytest.approx(outcome["elapsed_minutes"])
        assert row[5][0] == "float" and float(row[5][1]) == pytest.approx(outcome["target_minutes"])
        assert row[9][0] == "date" and row[9][1] == outcome["decided_at"][:19]
        assert row[3][2] == {"met": "binnen streeftijd", "breached": "overschreden"}[outcome["outcome"]]
    assert len(book["Uitsluitingen"]) == 1 + len(report["exclusions"])
    for row, exclusion in zip(book["Uitsluitingen"][1:], report["exclusions"]):
        assert row[3][2] == exclusion["reason"]
    days = book["Beschikbaarheid per dag"]
    assert len(days) == 1 + len(report["service_levels"]["availability"]["by_day"])


def test_ods_summary_values_are_typed_and_dutch(reports: dict[str, Any], rendered: dict[str, RenderedReport]) -> None:
    report = reports["enschede"]
    summary = sheets(ods_of(rendered["enschede"]))["Samenvatting"]
    rows: dict[str, Any] = {}
    for row in summary:
        if row:
            rows.setdefault(row[0][2], row)  # the first row of that name: the service levels table
    availability = rows["Beschikbaarheid"]
    assert availability[1][0] == "percentage" and float(availability[1][1]) == 0.994 and availability[1][2] == "99,40 %"
    assert float(availability[2][1]) == pytest.approx(report["service_levels"]["availability"]["value"] / 100)
    assert availability[3][2] == "gehaald"
    platform = rows["Functiehersteltijd platform"]
    assert platform[3][2] == "niet gehaald" and platform[4][:2] == ("float", "12")
    assert rows["Contractversie"][1][2] == report["contract_version"]
    assert rows["Maand"][1][2] == "mei 2026"


def test_edge_report_ods(edge_report: dict[str, Any], edge_rendered: RenderedReport) -> None:
    book = sheets(ods_of(edge_rendered))
    assert len(book["Uitkomsten"]) == 1
    assert book["Uitsluitingen"][1][3][2] == edge_report["exclusions"][0]["reason"]
