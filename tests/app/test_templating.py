"""One way to build the Jinja environments: the same safety settings and Dutch filters for every HTML the app writes."""

from __future__ import annotations

import jinja2
import pytest

from sla_app.documents import html_report
from sla_app.documents.format_nl import instant_nl, minutes_nl
from sla_app.mail import content as mail_content
from sla_app.overview import render as overview_render
from sla_app.portal import render as portal_render
from sla_app.templating import environment
from sla_core.report_text import month_name, percent

ENVIRONMENTS = [
    pytest.param(html_report.ENVIRONMENT, id="the report e-mail"),
    pytest.param(mail_content._ENV, id="the correction mail"),
    pytest.param(overview_render._ENV, id="the supplier overview"),
    pytest.param(portal_render._ENV, id="the portal"),
]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_environment_escapes_and_refuses_an_unknown_name(env: jinja2.Environment) -> None:
    assert env.from_string("{{ x }}").render(x="<b>&</b>") == "&lt;b&gt;&amp;&lt;/b&gt;"
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_environment_formats_in_dutch_as_the_documents_do(env: jinja2.Environment) -> None:
    template = env.from_string("{{ p | percent }} · {{ m | month_name }} · {{ i | instant }} · {{ n | minutes }}")
    values = {"p": 99.456, "m": "2026-10", "i": "2026-05-12T11:21:00Z", "n": 7.5}
    assert template.render(values) == " · ".join(
        [percent(99.456), month_name("2026-10"), instant_nl("2026-05-12T11:21:00Z"), minutes_nl(7.5)]
    )


def test_a_caller_adds_its_own_filters_and_globals_next_to_the_dutch_ones() -> None:
    env = environment("sla_app.portal", filters={"shout": str.upper}, globals={"NAME": "enschede"})
    assert env.from_string("{{ NAME | shout }} {{ 50 | percent }}").render() == f"ENSCHEDE {percent(50)}"
