"""The app's storage queues (monthly, delivery): JSON messages, base64 as the Functions queue trigger expects.

The queues are declared in ``infra/`` (``SLA_MONTHLY_QUEUE_NAME``, ``SLA_DELIVERY_QUEUE_NAME``); each is also
created on first use for local runs, and a queue that exists already is the
normal case: the SDK's :class:`~azure.core.exceptions.ResourceExistsError` is
caught by type, never by its message text.
"""

from __future__ import annotations

import json
from typing import Any

from azure.core.exceptions import ResourceExistsError

from sla_app.telemetry import with_operation


class JsonQueue:
    """Sends JSON messages to one queue, creating it on first use if it is missing."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self._ready = False

    def send(self, message: dict[str, Any]) -> None:
        """Enqueue one message (sorted keys)."""
        if not self._ready:
            try:
                self.client.create_queue()
            except ResourceExistsError:
                pass  # declared by infra/, or created by another instance: normal
            self._ready = True
        self.client.send_message(json.dumps(with_operation(message), sort_keys=True))  # carries the operation id


def queue_client(settings: Any, name: str, credential: Any | None = None) -> Any:
    """The ``QueueClient`` of queue ``name``: Azurite's (or an account's) connection string when the settings
    have one, else identity-based on ``SLA_QUEUES_ENDPOINT`` with ``credential``."""
    from azure.storage.queue import (
        QueueClient,
        TextBase64DecodePolicy,
        TextBase64EncodePolicy,
    )

    policies = {"message_encode_policy": TextBase64EncodePolicy(), "message_decode_policy": TextBase64DecodePolicy()}
    if settings.storage_connection_string:
        return QueueClient.from_connection_string(settings.storage_connection_string, name, **policies)
    if credential is None:
        raise ValueError(f"queue {name}: a credential is required without a storage connection string")
    return QueueClient(settings.queues_endpoint.rstrip("/"), name, credential=credential, **policies)
