"""The documents say which tests' results were ignored (measurement §8.7), in Dutch, and only when some were."""

from __future__ import annotations

import copy
import io
import zipfile
from typing import Any

from sla_app.documents.render import render
from tests.documents.conftest import normalize
from tests.documents.test_pdf_report import pdf_of, pdf_text

SENTENCE = "Resultaten van niet in de overeenkomst genoemde tests zijn genegeerd: oud-portaal, proef."


def ods_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as ods:
        return ods.read("content.xml").decode()


def documents(report: dict[str, Any]) -> dict[str, str]:
    rendered = render(report)
    (ods,) = [a for a in rendered.attachments if a.name.endswith(".ods")]
    return {
        "html": normalize(rendered.html),
        "text": normalize(rendered.text),
        "pdf": pdf_text(pdf_of(rendered)),
        "ods": ods_text(ods.data),
    }


def test_every_document_names_the_ignored_tests(reports: dict[str, Any]) -> None:
    report = copy.deepcopy(reports["enschede"])
    report["service_levels"]["availability"]["ignored_tests"] = ["oud-portaal", "proef"]
    shown = documents(report)
    assert {kind: SENTENCE in text for kind, text in shown.items()} == dict.fromkeys(shown, True)


def test_no_sentence_without_ignored_tests(reports: dict[str, Any]) -> None:
    assert reports["enschede"]["service_levels"]["availability"]["ignored_tests"] == []
    shown = documents(reports["enschede"])
    assert not any("genegeerd" in text for text in shown.values())
