"""The domain records the services work with, whichever store keeps them (below services and storage alike).

Storage modules import these records and map them to and from their entities;
services, handlers and the portal never need a storage module to name one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class TenantRecord:
    """A tenant as stored."""

    tenant: str
    go_live: date
    contract_end: date | None = None
    name: str | None = None
    contract_override: dict[str, Any] = field(default_factory=dict)
    recipients: tuple[str, ...] = ()
    etag: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The tenant as API JSON."""
        return {
            "tenant": self.tenant,
            "go_live": self.go_live.isoformat(),
            "contract_end": None if self.contract_end is None else self.contract_end.isoformat(),
            "name": self.name,
            "contract_override": self.contract_override,
            "recipients": list(self.recipients),
        }
