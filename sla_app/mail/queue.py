"""The delivery queue: JSON messages, base64 as the Functions queue trigger expects.

The queue is declared in ``infra/`` (``SLA_DELIVERY_QUEUE_NAME``); it is also
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


def delivery_queue_client(settings: Any, credential: Any | None = None) -> Any:
    """The ``QueueClient`` of ``SLA_DELIVERY_QUEUE_NAME`` (identity-based, or Azurite's connection string locally)."""
    from azure.storage.queue import (
        QueueClient,
        TextBase64DecodePolicy,
        TextBase64EncodePolicy,
    )

    policies = {"message_encode_policy": TextBase64EncodePolicy(), "message_decode_policy": TextBase64DecodePolicy()}
    if settings.storage_connection_string:
        return QueueClient.from_connection_string(
            settings.storage_connection_string, settings.delivery_queue_name, **policies
        )
    if credential is None:
        from azure.identity import DefaultAzureCredential

        credential = DefaultAzureCredential()
    return QueueClient(
        settings.queues_endpoint.rstrip("/"), settings.delivery_queue_name, credential=credential, **policies
    )
