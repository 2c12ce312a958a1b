"""The names the measurement speaks in, each written once: a ``Literal`` type and its tuple of values.

Every tuple is derived from its ``Literal`` (``typing.get_args``), so a type
annotation and a runtime check (pydantic, the event parser, a loop over the
levels) cannot disagree. Codes are English (or the SLA's Dutch term where the
event format uses it, measurement §6); Dutch display names live with the
Dutch text (:mod:`sla_core.report_text`).
"""

from __future__ import annotations

from typing import Literal, get_args

# -- tickets (measurement §2, §6) ------------------------------------------------------
Priority = Literal["urgent", "hoog", "gemiddeld", "laag"]
PRIORITIES: tuple[Priority, ...] = get_args(Priority)

EventKind = Literal["opened", "updated", "responded", "resolved", "reopened", "closed"]
KINDS: tuple[EventKind, ...] = get_args(EventKind)

TicketType = Literal["incident", "informatieverzoek", "wijzigingsverzoek", "serviceverzoek", "collega"]
TYPES: tuple[TicketType, ...] = get_args(TicketType)

Scope = Literal["platform", "applicatie"]
SCOPES: tuple[Scope, ...] = get_args(Scope)

OutcomeKind = Literal["met", "breached"]  # a decided outcome (measurement §2.7)
OUTCOMES: tuple[OutcomeKind, ...] = get_args(OutcomeKind)

# -- service levels (measurement §2.2, §3, §4) --------------------------------------------
TicketMetric = Literal["response_time", "restore_time_platform", "restore_time_application"]
TICKET_METRICS: tuple[TicketMetric, ...] = get_args(TicketMetric)
AVAILABILITY: Literal["availability"] = "availability"
LOAD_TIME: Literal["load_time"] = "load_time"
Level = Literal["availability", "response_time", "restore_time_platform", "restore_time_application"]
LEVELS: tuple[Level, ...] = get_args(Level)  # the levels with a norm: availability first, then the ticket levels

# -- the contract's week (measurement §1.1) -------------------------------------------------
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = get_args(Weekday)  # index = ``date.weekday()``

# -- the report (measurement §8.5) -----------------------------------------------------------
ReportStatus = Literal["final", "provisional"]
FINAL, PROVISIONAL = get_args(ReportStatus)
REPORT_STATUSES: tuple[ReportStatus, ...] = get_args(ReportStatus)

assert (AVAILABILITY, *TICKET_METRICS) == LEVELS, "Level lists availability, then the ticket metrics"
