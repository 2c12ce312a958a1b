"""The monthly report as documents (SLA §9): an accessible HTML e-mail body, a PDF and an ODS spreadsheet.

Everything here is rendered from the report JSON (``sla_core.report_json``),
the stable interface, so a stored report renders the same as a fresh one.
:func:`sla_app.documents.render.render` is the entry point used by delivery and the demo;
this package face hands on only the records (importing it loads no renderer).
"""

from sla_app.documents.rendered import Attachment, RenderedReport

__all__ = ["Attachment", "RenderedReport"]
