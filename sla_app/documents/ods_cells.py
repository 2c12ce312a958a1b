"""Typed, Dutch-formatted cells for the ODS spreadsheet (odfpy): numbers, percentages, instants, dates.

Every typed cell carries its value (float, percentage as a fraction, date in
local time) with a Dutch data style, and its Dutch text (``99,65 %``,
``12 mei 2026 13:21``) for readers that show the text only.
"""

from __future__ import annotations

from odf import number as nr
from odf.element import Element
from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import Style, TableCellProperties, TableColumnProperties, TextProperties
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import P

from sla_app.documents.format_nl import date_nl, instant_nl, local
from sla_core.report_text import number, percent, truncated

Cell = Element | str | None


class Styles:
    """The document's data styles (Dutch) and the cell/column styles that use them."""

    def __init__(self, doc: OpenDocumentSpreadsheet) -> None:
        self.doc = doc
        for decimals in (0, 1, 2):
            style = nr.NumberStyle(name=f"num{decimals}", language="nl", country="NL")
            style.addElement(nr.Number(decimalplaces=decimals, minintegerdigits=1, grouping="true"))
            doc.automaticstyles.addElement(style)
        pct = nr.PercentageStyle(name="pct2", language="nl", country="NL")
        pct.addElement(nr.Number(decimalplaces=2, minintegerdigits=1))
        pct.addElement(nr.Text(text=" %"))
        doc.automaticstyles.addElement(pct)
        when = nr.DateStyle(name="when", language="nl", country="NL")
        for part in (
            nr.Day(),
            nr.Text(text=" "),
            nr.Month(textual="true", style="long"),
            nr.Text(text=" "),
            nr.Year(style="long"),
            nr.Text(text=" "),
            nr.Hours(style="long"),
            nr.Text(text=":"),
            nr.Minutes(style="long"),
        ):
            when.addElement(part)
        doc.automaticstyles.addElement(when)
        day = nr.DateStyle(name="day", language="nl", country="NL")
        for part in (
            nr.Day(),
            nr.Text(text=" "),
            nr.Month(textual="true", style="long"),
            nr.Text(text=" "),
            nr.Year(style="long"),
        ):
            day.addElement(part)
        doc.automaticstyles.addElement(day)
        self.cells = {name: self._cell(name, name) for name in ("num0", "num1", "num2", "pct2", "when", "day")}
        self.head = Style(name="head", family="table-cell")
        self.head.addElement(TextProperties(fontweight="bold"))
        self.head.addElement(TableCellProperties(backgroundcolor="#e8eef5", wrapoption="wrap"))
        doc.automaticstyles.addElement(self.head)
        self.columns: dict[float, Style] = {}

    def _cell(self, name: str, data_style: str) -> Style:
        style = Style(name=f"c-{name}", family="table-cell", datastylename=data_style)
        self.doc.automaticstyles.addElement(style)
        return style

    def column(self, width_cm: float) -> Style:
        if width_cm not in self.columns:
            style = Style(name=f"col{len(self.columns)}", family="table-column")
            style.addElement(TableColumnProperties(columnwidth=f"{width_cm}cm"))
            self.doc.automaticstyles.addElement(style)
            self.columns[width_cm] = style
        return self.columns[width_cm]


def _text(value: str) -> Element:
    cell = TableCell(valuetype="string")
    cell.addElement(P(text=value))
    return cell


class Sheet:
    def __init__(self, doc: OpenDocumentSpreadsheet, styles: Styles, name: str, widths: list[float]) -> None:
        self.styles = styles
        self.table = Table(name=name)
        for width in widths:
            self.table.addElement(TableColumn(stylename=styles.column(width)))
        doc.spreadsheet.addElement(self.table)

    def row(self, *cells: Cell) -> None:
        row = TableRow()
        for cell in cells:
            row.addElement(cell if isinstance(cell, Element) else _text(cell) if cell is not None else TableCell())
        self.table.addElement(row)

    def head(self, *names: str) -> None:
        row = TableRow()
        for name in names:
            cell = TableCell(valuetype="string", stylename=self.styles.head)
            cell.addElement(P(text=name))
            row.addElement(cell)
        self.table.addElement(row)

    def num(self, value: float | None, decimals: int = 0) -> Cell:
        if value is None:
            return None
        shown = float(truncated(value, decimals))  # the cell's value is what its text says (measurement §8.8)
        cell = TableCell(valuetype="float", value=shown, stylename=self.styles.cells[f"num{decimals}"])
        cell.addElement(P(text=number(value, decimals)))
        return cell

    def pct(self, value: float | None) -> Cell:
        if value is None:
            return "n.v.t."
        shown = truncated(value, 2) / 100  # exact decimal: 99.39… is 0.9939, never displayed as 99,40 %
        cell = TableCell(valuetype="percentage", value=str(shown), stylename=self.styles.cells["pct2"])
        cell.addElement(P(text=percent(value)))
        return cell

    def when(self, instant: str | None, zone: str) -> Cell:
        if instant is None:
            return None
        moment = local(instant, zone).replace(tzinfo=None)
        cell = TableCell(valuetype="date", datevalue=moment.isoformat(), stylename=self.styles.cells["when"])
        cell.addElement(P(text=instant_nl(instant, zone)))
        return cell

    def day(self, value: str) -> Element:
        cell = TableCell(valuetype="date", datevalue=value, stylename=self.styles.cells["day"])
        cell.addElement(P(text=date_nl(value)))
        return cell
