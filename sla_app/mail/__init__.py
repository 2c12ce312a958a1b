"""Mail transport for the report e-mails (SLA §9): Microsoft Graph in production, an .eml outbox locally.

Two mailers share one small interface (:class:`Mailer`): :class:`GraphMailer`
sends through Microsoft Graph (production, ``SLA_MAIL_MODE=graph``) and
:class:`Outbox` writes a standard ``.eml`` file per message (local runs,
``SLA_MAIL_MODE=outbox``). Neither decides *whether* to send: exactly-once per
tenant-month is the job of :mod:`sla_app.services.delivery_month`.

A mailer either returns a :class:`Receipt` or raises :class:`MailError`
saying whether the message was certainly *not* sent (safe to try again) or
whether the outcome is *unknown* (a request that may have reached the mail
service without an answer: never resent automatically).
"""

from __future__ import annotations

from sla_app.mail.graph_mail import GraphMailer
from sla_app.mail.message import (
    DELIVERY_HEADER,
    NOT_SENT,
    UNKNOWN,
    Envelope,
    Mailer,
    MailError,
    Receipt,
)
from sla_app.mail.outbox import Outbox

__all__ = [
    "DELIVERY_HEADER",
    "NOT_SENT",
    "UNKNOWN",
    "Envelope",
    "GraphMailer",
    "MailError",
    "Mailer",
    "Outbox",
    "Receipt",
]
