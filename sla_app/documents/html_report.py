"""The report as HTML: the e-mail body (images as ``cid:``) or a standalone page (images as data URIs).

Jinja2 with autoescaping renders the templates in ``templates/``; every
string from the report is escaped. The e-mail carries its styles inline
(:data:`~sla_app.documents.styles.EMAIL`), because mail clients drop
``<style>`` blocks.
"""

from __future__ import annotations

import base64
from typing import Any

from sla_app.documents.chart_style import Chart
from sla_app.documents.content import context
from sla_app.documents.styles import EMAIL
from sla_app.templating import environment

ENVIRONMENT = environment("sla_app.documents", keep_trailing_newline=True)


def data_uri(png: bytes) -> str:
    """A PNG as a ``data:`` URI."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render_template(
    name: str,
    report: dict[str, Any],
    charts: tuple[Chart, ...],
    images: dict[str, str],
    contact: str | None = None,
    **extra: Any,
) -> str:
    """One template of the report, with the styles in ``extra['s']`` (default: e-mail styles)."""
    values = context(report, images, charts, contact) | {"s": EMAIL, "row_limit": EMAIL_ROW_LIMIT} | extra
    return ENVIRONMENT.get_template(name).render(values)


# The e-mail body stays under the size at which common mail clients clip a message (~100 KB): long
# lists are cut to this many rows there, with the full lists in the PDF and ODS attachments.
EMAIL_ROW_LIMIT = 10


def email_html(report: dict[str, Any], charts: tuple[Chart, ...], contact: str | None = None) -> str:
    """The e-mail body; chart images are ``cid:<content id>`` references."""
    images = {c.content_id: f"cid:{c.content_id}" for c in charts}
    return render_template("email.html.j2", report, charts, images, contact)


def standalone_html(report: dict[str, Any], charts: tuple[Chart, ...], contact: str | None = None) -> str:
    """The e-mail body as a file on its own: chart images embedded as data URIs."""
    return render_template("email.html.j2", report, charts, {c.content_id: data_uri(c.png) for c in charts}, contact)


def inline_cids(html: str, images: dict[str, bytes]) -> str:
    """An e-mail body with its ``cid:`` images replaced by data URIs (to view or check it as a page)."""
    for content_id, png in images.items():
        html = html.replace(f'src="cid:{content_id}"', f'src="{data_uri(png)}"')
    return html
