"""The in-memory delivery records (:mod:`tests.support.delivery_fakes`) keep the repository's rules.

One contract, run over :class:`MemoryDeliveries` and over the real
:class:`~sla_app.storage.deliveries_repo.DeliveryRepository` on Azurite, so
the fast state-machine tests (``tests/test_delivery_states.py``) rest on the
same write rules as production: insert-only create, ETag-conditional replace.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from sla_app.bootstrap import AppContext
from sla_app.records import CORRECTION, SUPPLIER, DeliveryConflict, DeliveryRecord
from sla_app.storage.deliveries_repo import DeliveryRepository
from tests.support.delivery_fakes import MemoryDeliveries


@pytest.fixture(params=["memory", "table storage"])
def deliveries(request: pytest.FixtureRequest) -> Any:
    if request.param == "memory":
        return MemoryDeliveries()
    ctx: AppContext = request.getfixturevalue("ctx")
    return DeliveryRepository(ctx.store)


def test_a_record_is_created_once_and_replaced_only_under_the_etag_read(deliveries: Any) -> None:
    created = deliveries.create(DeliveryRecord("enschede", "2026-10", "sending", 1, 1, claim_id="a"))
    assert created.etag and deliveries.get("enschede", "2026-10") == created
    with pytest.raises(DeliveryConflict):
        deliveries.create(DeliveryRecord("enschede", "2026-10", "sending", 1, 1, claim_id="b"))
    sent = deliveries.replace(replace(created, state="sent", note="found"), created.etag)
    assert sent.etag != created.etag and deliveries.get("enschede", "2026-10").note == "found"
    with pytest.raises(DeliveryConflict):
        deliveries.replace(replace(created, state="failed"), created.etag)
    assert deliveries.get("enschede", "2026-10").state == "sent"


def test_records_are_kept_per_kind_and_listed_by_month_and_tenant(deliveries: Any) -> None:
    for record in (
        DeliveryRecord("hengelo", "2026-10", "sent", 1, 1),
        DeliveryRecord("enschede", "2026-10", "sent", 1, 1),
        DeliveryRecord("enschede", "2026-10", "failed", 1, 2, kind=CORRECTION, needs_manual_check=True),
        DeliveryRecord("enschede", "2026-09", "sent", 1, 1),
        DeliveryRecord(SUPPLIER, "2026-10", "sent", 1, kind="overview"),
    ):
        deliveries.create(record)
    assert deliveries.get("enschede", "2026-10", CORRECTION, 2).needs_manual_check
    assert deliveries.get("enschede", "2026-10", CORRECTION, 3) is None
    assert [(r.tenant, r.kind) for r in deliveries.of_month("2026-10")] == [
        ("enschede", "report"),
        ("enschede", CORRECTION),
        ("hengelo", "report"),
        (SUPPLIER, "overview"),
    ]
    assert [r.row_key for r in deliveries.of_tenant("enschede", "2026-09", "2026-10")] == [
        "2026-09",
        "2026-10",
        "2026-10|correction|v0002",
    ]


def test_records_created_together_are_all_written_or_none(deliveries: Any) -> None:
    deliveries.create(DeliveryRecord("enschede", "2026-09", "sent", 1, 1))
    together = [DeliveryRecord("enschede", m, "no_report") for m in ("2026-08", "2026-09")]
    with pytest.raises(DeliveryConflict):
        deliveries.create_many(together)
    assert deliveries.get("enschede", "2026-08") is None and deliveries.get("enschede", "2026-09").state == "sent"
    created = deliveries.create_many([DeliveryRecord("enschede", m, "no_report") for m in ("2026-07", "2026-08")])
    assert [r.etag for r in created] == [deliveries.get("enschede", m).etag for m in ("2026-07", "2026-08")]
    assert all(created_record.etag for created_record in created)
