"""The PDF compiler's cache is released after each delivery message (sla_app.documents.typst_cache)."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
import typst
from azure.functions.queue import QueueMessage

from sla_app.bootstrap import AppContext
from sla_app.documents.typst_cache import release_document_caches
from sla_app.errors import NotFound
from sla_app.services import delivery_runs
from tests.app.test_delivery import RecordingMailer, delivery_app, render


def test_without_typst_loaded_nothing_is_imported_and_nothing_released(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "typst")
    assert release_document_caches() is False
    assert "typst" not in sys.modules


def test_with_typst_loaded_the_cache_is_aged_out_and_the_next_document_still_compiles(tmp_path: Any) -> None:
    source = tmp_path / "doc.typ"
    source.write_text("= Servicerapportage\nBeschikbaarheid 99,95 %", encoding="utf-8")
    first = typst.compile(str(source), format="svg")
    assert release_document_caches() is True
    assert typst.compile(str(source), format="svg") == first


def test_a_failure_to_release_never_fails_the_delivery(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def __getattr__(self, name: str) -> Any:
            raise RuntimeError("no compiler")

    monkeypatch.setitem(sys.modules, "typst", Broken())
    assert release_document_caches() is False


@pytest.mark.parametrize(
    "message",
    [
        pytest.param({"tenant": "enschede", "months": ["2026-10"]}, id="a tenant's months"),
        pytest.param({"notice": "overview", "month": "2026-10"}, id="a supplier notice"),
        pytest.param({"tenant": "zwolle", "months": ["2026-10"]}, id="a message that fails"),
    ],
)
def test_each_delivery_message_releases_the_cache_once(
    ctx: AppContext, tenants: list[str], monkeypatch: pytest.MonkeyPatch, message: dict[str, Any]
) -> None:
    ctx.mailer, ctx.render = RecordingMailer(), render
    calls: list[int] = []
    monkeypatch.setattr(delivery_runs, "release_document_caches", lambda: calls.append(1) or True)
    body = json.dumps(message).encode()
    function = delivery_app()["delivery_item"].get_user_function()
    if message.get("tenant") in tenants or "notice" in message:
        function(QueueMessage(id="m", body=body, dequeue_count=1))
    else:
        with pytest.raises(NotFound):
            function(QueueMessage(id="m", body=body, dequeue_count=1))
    assert calls == [1]
