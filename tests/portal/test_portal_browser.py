"""The portal in a real browser: Playwright (Python) driving Debian's Chromium over the demo data.

For every page: axe-core finds no WCAG 2.1 A/AA violation, the keyboard alone
reaches every link, field and button, the browser reports no
Content-Security-Policy violation, and a full-page screenshot is written to
``out/portal/``. A municipality's reader cannot reach another municipality's
page or downloads. The portal runs exactly as ``make portal`` runs it
(Azurite, the demo pipeline, the local HTTP server, the local sign-in).
The test fails, never skips, when Chromium or axe-core is missing: ``make
test`` installs them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tools.portal import demo_portal

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("SLA_CHROMIUM", "/usr/bin/chromium")
SHOTS = ROOT / "out" / "portal"
CONTROLS = "a[href], button, input:not([type=hidden]), select, textarea"


@pytest.fixture(scope="module")
def portal() -> Iterator[str]:
    with demo_portal(0) as (base, _):
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"Chromium missing at {CHROMIUM} (make test installs Debian's chromium)"
    assert AXE.exists(), "axe-core missing (make test runs npm ci)"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def opened_portal(browser: Browser, base: str, **context: Any) -> tuple[Page, list[str]]:
    """The portal's entry in a fresh Dutch context (``context``: more options); the page and its CSP complaints."""
    page = browser.new_context(locale="nl-NL", **context).new_page()
    complaints: list[str] = []
    page.on(
        "console",
        lambda message: complaints.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.goto(f"{base}/portal/")
    return page, complaints


def signed_in(browser: Browser, base: str, role: str) -> tuple[Page, list[str]]:
    """A fresh context signed in locally with ``role``; returns the page and its CSP complaints."""
    page, complaints = opened_portal(browser, base, viewport={"width": 1280, "height": 900})
    page.check(f"input[value='{role}']")
    with page.expect_navigation(url=lambda url: "local-login" not in url):
        page.click("button[type=submit]")
    return page, complaints


def axe_violations(page: Page) -> list[dict[str, Any]]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}))"
        ".violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    return list(result)


# One key per control; a radio group is one stop in the tab order (arrow keys move inside it).
KEY = "e => (e.type === 'radio' ? 'radio group ' + e.name : e.outerHTML.replace(/ style=\"[^\"]*\"/, '').slice(0, 160))"


def unreachable_by_keyboard(page: Page) -> list[str]:
    """Controls that Tab never focuses (walks the whole tab order once)."""
    total = page.locator(CONTROLS).count()
    page.evaluate("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    page.locator("body").focus()
    seen: set[str] = set()
    for _ in range(total + 5):
        page.keyboard.press("Tab")
        seen.add(page.evaluate(f"(() => {{ const e = document.activeElement; return e ? ({KEY})(e) : '' }})()"))
    everything = page.eval_on_selector_all(CONTROLS, f"els => els.map({KEY})")
    return sorted({key for key in everything if key not in seen})


def check_page(page: Page, complaints: list[str], name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert axe_violations(page) == []
    assert unreachable_by_keyboard(page) == []
    assert complaints == []


def test_the_municipality_page_in_the_browser(portal: str, browser: Browser) -> None:
    page, complaints = signed_in(browser, portal, "SLA.Reader:almelo")
    assert page.url.endswith("/api/portal/tenants/almelo")
    assert page.locator("h1").inner_text() == "Gemeente Almelo"
    for heading in (
        "Deze maand tot nu toe",
        "Lopende meldingen",
        "Twaalf maanden",
        "Rapporten",
        "Ontvangers van de rapportage",
    ):
        assert page.get_by_role("heading", name=heading, exact=False).count() >= 1
    check_page(page, complaints, "gemeente")


def test_the_supplier_overview_in_the_browser(portal: str, browser: Browser) -> None:
    page, complaints = signed_in(browser, portal, "SLA.Admin")
    assert page.url.endswith("/api/portal/overview")
    assert page.get_by_role("link", name="Gemeente Enschede").count() == 1
    check_page(page, complaints, "overzicht")


def test_the_local_sign_in_page_in_the_browser(portal: str, browser: Browser) -> None:
    page, complaints = opened_portal(browser, portal)
    assert page.url.endswith("/api/portal/local-login")
    check_page(page, complaints, "aanmelden")


def test_a_reader_cannot_reach_another_municipality_in_the_browser(portal: str, browser: Browser) -> None:
    page, complaints = signed_in(browser, portal, "SLA.Reader:almelo")
    response = page.goto(f"{portal}/api/portal/tenants/hengelo")
    assert response is not None and response.status == 403
    assert "Hengelo" not in page.content().replace("hengelo'", "")
    download = page.request.get(f"{portal}/api/portal/tenants/hengelo/reports/2026-05/v1/json")
    assert download.status == 403
    check_page(page, complaints, "geen-toegang")


def test_the_recipients_form_works_from_the_keyboard(portal: str, browser: Browser) -> None:
    page, _ = signed_in(browser, portal, "SLA.Reader:hengelo")
    field = page.locator("#recipients")
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("rapportage@hengelo.example\ncontractbeheer@hengelo.example")
    page.locator("button", has_text="Ontvangers opslaan").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/tenants/hengelo?melding=*")
    assert page.get_by_role("status").inner_text() == "Ontvangers opgeslagen"
    assert "contractbeheer@hengelo.example" in page.locator("#recipients").input_value()
