"""A simulated Functions host: the registered timers on their schedules, the queues drained as the host would.

* **Resources** are created as ``infra/`` declares them before the app first
  runs: every queue resource of the Bicep files, named by the parameter
  default ``main.bicep`` passes down, which must equal the default of the
  app setting whose value that parameter is (the model the infra tests
  cross-check). Tables are not declared by ``infra/``: the app creates them.
* **Timers**: every registered timer trigger, its NCRONTAB schedule read from
  the registered function and evaluated by :mod:`tests.drill.drill_cron`.
  A timer that raises is logged by the real host and the next firing comes
  anyway: the drill records the error and goes on.
* **Queues**: every registered queue trigger, its ``%SETTING%`` queue name
  resolved from the settings. Messages are received with the real
  azure-storage-queue client (base64, as ``host.json`` says); a handler that
  raises leaves the message to be received again, and after
  ``maxDequeueCount`` attempts the host moves it to ``<queue>-poison``.
  The first message each function handles, and every fifth message handled,
  is delivered a second time (the host's at-least-once delivery: a lost
  lease, a restarted instance). Each message handled takes one simulated
  second.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from azure.core.exceptions import ResourceExistsError
from azure.functions.queue import QueueMessage
from azure.functions.timer import TimerRequest
from azure.storage.queue import (
    QueueClient,
    QueueServiceClient,
    TextBase64DecodePolicy,
    TextBase64EncodePolicy,
)

from sla_app.settings import Settings
from tests.drill.drill_cron import Schedule

ROOT = Path(__file__).resolve().parents[2]
MESSAGE_SECONDS = timedelta(seconds=1)
DUPLICATE_EVERY = 5
_log = logging.getLogger("drill.host")


def infra_queues() -> dict[str, str]:
    """``{app setting: queue name}`` of every queue ``infra/`` declares, cross-checked with the settings model."""
    from tests.infra.bicep import MAIN_BICEP, all_resources, app_settings, parse_file

    main = parse_file(MAIN_BICEP)
    (site,) = all_resources("Microsoft.Web/sites")
    settings_by_param = {value: name for name, value in app_settings(site).items() if isinstance(value, str)}
    defaults = {f.alias: f.default for f in Settings.model_fields.values() if f.alias}
    found: dict[str, str] = {}
    for queue in all_resources("Microsoft.Storage/storageAccounts/queueServices/queues"):
        parameter = queue.get("name")
        default = main["parameters"].get(parameter, {}).get("default")
        setting = settings_by_param.get(parameter)
        if not isinstance(default, str) or setting is None:
            raise AssertionError(
                f"{queue}: queue name {parameter!r} is not a main.bicep parameter passed as an app setting"
            )
        if defaults.get(setting) != default:
            raise AssertionError(f"{setting}: the settings model says {defaults.get(setting)!r}, infra/ {default!r}")
        found[setting] = default
    if not found:
        raise AssertionError("infra/ declares no queue")
    return found


def create_infra_queues(connection_string: str) -> list[str]:
    """Create the queues ``infra/`` declares (a deployment does this before the app first runs)."""
    service = QueueServiceClient.from_connection_string(connection_string)
    names = sorted(infra_queues().values())
    for name in names:
        service.create_queue(name)
    return names


def host_settings() -> dict[str, Any]:
    """``extensions.queues`` of host.json."""
    return json.loads((ROOT / "host.json").read_text())["extensions"]["queues"]


@dataclass
class Timer:
    name: str
    schedule: Schedule
    handler: Callable[[TimerRequest], None]


@dataclass
class QueueFunction:
    name: str
    queue: str
    handler: Callable[[QueueMessage], None]
    client: QueueClient


@dataclass
class HostLog:
    """What the host saw: failures are normal (retries), but every one is kept."""

    timer_runs: list[tuple[datetime, str]] = field(default_factory=list)  # (scheduled instant, function)
    timer_errors: list[tuple[datetime, str, str]] = field(default_factory=list)
    handled: int = 0
    redelivered: int = 0
    failures: list[tuple[datetime, str, str]] = field(default_factory=list)
    poisoned: list[tuple[str, str]] = field(default_factory=list)  # (queue, body)


class Host:
    """Fires timers and drains queues of ``function_app``'s registered functions."""

    def __init__(self, functions: dict[str, Any], settings: Settings, connection_string: str, clock: Any) -> None:
        self._clock = clock
        self._connection = connection_string
        self.log = HostLog()
        queues = host_settings()
        self.max_dequeue = int(queues.get("maxDequeueCount", 5))
        self.visibility = timedelta(seconds=_seconds(queues.get("visibilityTimeout", "00:00:00")))
        values = {f.alias: getattr(settings, name) for name, f in Settings.model_fields.items() if f.alias}
        self.timers: list[Timer] = []
        self.queues: list[QueueFunction] = []
        self._clients: dict[str, QueueClient] = {}
        self.current: str | None = None  # the queue function running now
        self._redelivered_from: set[str] = set()
        for name, function in sorted(functions.items()):
            trigger = function.get_trigger()
            kind = type(trigger).__name__
            if kind == "TimerTrigger":
                self.timers.append(Timer(name, Schedule.parse(trigger.schedule), function.get_user_function()))
            elif kind == "QueueTrigger":
                queue = _resolve(trigger.queue_name, values)
                self.queues.append(QueueFunction(name, queue, function.get_user_function(), self.client(queue)))

    def client(self, queue: str) -> QueueClient:
        """A queue client as the host uses it (base64 messages)."""
        if queue not in self._clients:
            self._clients[queue] = QueueClient.from_connection_string(
                self._connection,
                queue,
                message_encode_policy=TextBase64EncodePolicy(),
                message_decode_policy=TextBase64DecodePolicy(),
            )
        return self._clients[queue]

    def firings(self, start: datetime, end: datetime) -> list[tuple[datetime, str]]:
        """Every timer firing in ``[start, end)``, in time order (then by function name)."""
        return sorted((at, t.name) for t in self.timers for at in t.schedule.firings(start, end))

    def fire(self, name: str, scheduled: datetime) -> None:
        """Run one timer function now (its scheduled instant, or a little later when queue work ran over it).

        An exception is recorded, as the host logs it, and the run goes on.
        """
        timer = next(t for t in self.timers if t.name == name)
        self.log.timer_runs.append((scheduled, name))
        try:
            timer.handler(TimerRequest(past_due=False))
        except Exception as exc:  # noqa: BLE001 — the host logs a failed timer run and fires it again next time
            _log.warning("timer %s failed: %s", name, exc)
            self.log.timer_errors.append((self._clock(), name, f"{type(exc).__name__}: {exc}"[:300]))

    def drain(self) -> int:
        """Handle queue messages until every queue is empty; returns how many were handled."""
        handled, busy = 0, True
        while busy:
            busy = False
            for function in self.queues:
                try:
                    messages = list(function.client.receive_messages(max_messages=32, visibility_timeout=300))
                except Exception as exc:
                    if "QueueNotFound" in type(exc).__name__ or getattr(exc, "status_code", None) == 404:
                        continue
                    raise
                for message in messages:
                    busy = True
                    handled += 1
                    self._handle(function, message)
        return handled

    def _handle(self, function: QueueFunction, message: Any) -> None:
        self._clock.advance(MESSAGE_SECONDS)
        self.log.handled += 1
        body = (message.content or "").encode("utf-8")
        self.current = function.name
        try:
            function.handler(
                QueueMessage(
                    id=message.id, body=body, dequeue_count=message.dequeue_count, pop_receipt=message.pop_receipt
                )
            )
        except Exception as exc:  # noqa: BLE001 — the host retries, then poisons
            self.log.failures.append((self._clock(), function.name, f"{type(exc).__name__}: {exc}"[:300]))
            if message.dequeue_count >= self.max_dequeue:
                self._poison(function, message)
            else:
                function.client.update_message(message, visibility_timeout=0)
                self._clock.advance(self.visibility)
            return
        finally:
            self.current = None
        first_here = function.name not in self._redelivered_from
        if message.dequeue_count == 1 and (first_here or self.log.handled % DUPLICATE_EVERY == 0):
            self._redelivered_from.add(function.name)
            self.log.redelivered += 1
            function.client.update_message(message, visibility_timeout=0)  # not deleted in time: comes again
            return
        function.client.delete_message(message)

    def _poison(self, function: QueueFunction, message: Any) -> None:
        poison = self.client(f"{function.queue}-poison")
        try:
            poison.create_queue()
        except ResourceExistsError:
            pass
        poison.send_message(message.content)
        function.client.delete_message(message)
        self.log.poisoned.append((function.queue, message.content))


def _resolve(binding: str, values: dict[str, Any]) -> str:
    """A binding expression like ``%SLA_MONTHLY_QUEUE_NAME%-poison`` with the app settings filled in."""
    parts = binding.split("%")
    if len(parts) % 2 == 0:
        raise ValueError(f"unbalanced % in binding {binding!r}")
    for index in range(1, len(parts), 2):
        if values.get(parts[index]) is None:
            raise ValueError(f"binding {binding!r}: app setting {parts[index]} is not set")
        parts[index] = str(values[parts[index]])
    return "".join(parts)


def _seconds(text: str) -> int:
    hours, minutes, seconds = (int(p) for p in str(text).split(":"))
    return hours * 3600 + minutes * 60 + seconds
