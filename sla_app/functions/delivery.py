"""Delivery of the monthly reports by e-mail (issue 5 §3, §4): two timers and two admin routes.

* ``delivery_monthly`` (06:00 UTC on the 1st, i.e. 07:00/08:00 in Amsterdam,
  four hours after the reports are computed): delivers the previous month,
  acting only when the local date is the 1st (like ``monthly_fan_out``).
* ``delivery_daily_retry`` (07:30 UTC every day): runs the same idempotent
  delivery for the previous local month — retries ``failed`` deliveries,
  picks up tenants whose report or recipients were missing, and catches a
  missed monthly run. ``sent`` is never sent again; a delivery whose outcome
  is unknown waits for an admin.
* ``POST /api/admin/months/{month}/deliver`` (SLA.Admin): deliver now;
  ``?tenant=<id>`` for one tenant, ``?force=true`` to resend deliveries
  flagged ``needs_manual_check``. Answers 202 with one outcome per tenant;
  tenants not started within 60 s are ``deferred`` (call again, or the daily
  run picks them up).
* ``GET /api/admin/months/{month}/deliveries`` (SLA.Admin): the records.

The mailer follows ``SLA_MAIL_MODE``: ``graph`` → :class:`GraphMailer` from
``SLA_MAIL_SENDER`` (managed identity), ``outbox`` → :class:`Outbox` writing
``.eml`` files into ``SLA_OUTBOX_DIR`` (default ``out/outbox``). Both are
built on first use and kept in ``Services.extras`` (``"mailer"``); tests put
their own mailer and renderer (``"render"``) there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import azure.functions as func

from sla_app.bootstrap import Services, services
from sla_app.delivery.graph_mail import GraphMailer
from sla_app.delivery.message import Mailer
from sla_app.delivery.outbox import Outbox
from sla_app.errors import BadRequest
from sla_app.http.auth import principal
from sla_app.http.params import local_now, previous_month_if_first, route_month
from sla_app.http.problem import endpoint, json_response
from sla_app.services.delivery import RUN_BUDGET, DeliveryOutcome, DeliveryService
from sla_app.storage.deliveries_repo import DeliveryRepository
from sla_core.periods import Month

bp = func.Blueprint()
_log = logging.getLogger("sla_app.delivery")

MAILER_KEY, RENDER_KEY, DELIVERIES_KEY = "mailer", "render", "deliveries"
DEFAULT_OUTBOX_DIR = "out/outbox"
HTTP_BUDGET = timedelta(seconds=60)  # the HTTP route answers well within the 230 s front-end timeout
_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no", ""}


def mailer(app: Services) -> Mailer:
    """The process's mailer for ``SLA_MAIL_MODE``, built on first use."""
    current = app.extras.get(MAILER_KEY)
    if current is None:
        settings = app.settings
        if settings.mail_mode == "outbox":
            current = Outbox(settings.outbox_dir or DEFAULT_OUTBOX_DIR, settings.mail_sender, app.clock)
        else:
            current = GraphMailer(settings.mail_sender)
        app.extras[MAILER_KEY] = current
    return current


def _render_report(report_json: dict[str, Any]) -> Any:
    from sla_app.reporting import (
        render,  # imported when a report is rendered, not when the app starts
    )

    return render(report_json)


def delivery_service(app: Services, budget: timedelta = RUN_BUDGET) -> DeliveryService:
    """Delivery over the app's repositories, mailer and renderer; no new delivery starts after ``budget``."""
    repository = app.extras.get(DELIVERIES_KEY)
    if repository is None:
        repository = app.extras[DELIVERIES_KEY] = DeliveryRepository(app.store)
    render: Callable[[dict[str, Any]], Any] = app.extras.get(RENDER_KEY) or _render_report
    return DeliveryService(app.admin, app.reports, repository, mailer(app), render, app.clock, budget=budget)


def _log_outcomes(month: Month, outcomes: list[DeliveryOutcome]) -> None:
    for outcome in outcomes:
        if outcome.outcome not in ("sent", "already_sent"):
            _log.warning("delivery %s %s: %s %s", outcome.tenant, month, outcome.outcome, outcome.detail)


@bp.timer_trigger(arg_name="timer", schedule="0 0 6 1 * *", run_on_startup=False)
def delivery_monthly(timer: func.TimerRequest) -> None:
    """On the 1st (local): deliver the previous month's reports."""
    app = services()
    local = local_now(app)
    month = previous_month_if_first(local)
    if month is None:
        _log.warning("delivery timer fired on local %s, not the 1st: nothing done", local.date())
        return
    _log_outcomes(month, delivery_service(app).deliver_month(month))


@bp.timer_trigger(arg_name="timer", schedule="0 30 7 * * *", run_on_startup=False)
def delivery_daily_retry(timer: func.TimerRequest) -> None:
    """Every day: deliver what is still undelivered of the previous local month (failed, flagged, missed)."""
    app = services()
    local = local_now(app)
    month = Month(local.year, local.month).shift(-1)
    _log_outcomes(month, delivery_service(app).deliver_month(month))



def _force(req: func.HttpRequest) -> bool:
    value = (req.params.get("force") or "").strip().lower()
    if value not in _TRUE | _FALSE:
        raise BadRequest("force must be true or false", field="force")
    return value in _TRUE


@bp.route(route="admin/months/{month}/deliver", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
@endpoint
def deliver_month_reports(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin: deliver a month now (idempotent; ``force`` resends deliveries flagged for a manual check)."""
    caller = principal(req.headers)
    caller.require_admin()
    month, force = route_month(req), _force(req)
    tenant = (req.params.get("tenant") or "").strip()
    outcomes = delivery_service(services(), HTTP_BUDGET).deliver_month(
        month, actor=caller.name, force=force, tenants=[tenant] if tenant else None
    )
    return json_response({"month": str(month), "force": force, "outcomes": [o.to_json() for o in outcomes]}, status=202)


@bp.route(route="admin/months/{month}/deliveries", methods=["GET"], auth_level=func.AuthLevel.FUNCTION)
@endpoint
def list_month_deliveries(req: func.HttpRequest) -> func.HttpResponse:
    """SLA.Admin: the delivery records of a month, by tenant."""
    caller = principal(req.headers)
    caller.require_admin()
    records = delivery_service(services()).records(route_month(req))
    return json_response([r.to_json() for r in records])
