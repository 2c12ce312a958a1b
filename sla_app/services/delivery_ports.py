"""The delivery records as the delivery services see them: the port they are given (one record per e-mail).

:class:`~sla_app.services.delivery_once.OnceSender`, the delivery service
(:mod:`sla_app.services.delivery`), the month's deliveries
(:mod:`sla_app.services.delivery_month`) and the operator's confirmation
(:mod:`sla_app.services.delivery_confirm`) all read and write them through
:class:`Deliveries`; production passes
:class:`~sla_app.storage.deliveries_repo.DeliveryRepository`.
"""

from __future__ import annotations

from typing import Protocol

from sla_app.records import REPORT, DeliveryRecord


class Deliveries(Protocol):
    """Delivery records (see :class:`sla_app.storage.deliveries_repo.DeliveryRepository`)."""

    def get(self, tenant: str, month: str, kind: str = REPORT, version: int | None = None) -> DeliveryRecord | None: ...

    def create(self, record: DeliveryRecord) -> DeliveryRecord: ...

    def create_many(self, records: list[DeliveryRecord]) -> list[DeliveryRecord]: ...

    def replace(self, record: DeliveryRecord, etag: str | None) -> DeliveryRecord: ...

    def put(self, record: DeliveryRecord) -> DeliveryRecord: ...

    def of_month(self, month: str) -> list[DeliveryRecord]: ...

    def of_tenant(self, tenant: str, first: str, last: str) -> list[DeliveryRecord]: ...
