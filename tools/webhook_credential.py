"""Print a tenant's webhook credential for TOPdesk or Jira.

    SLA_WEBHOOK_TOKEN_TOPDESK=… python -m tools.webhook_credential --tool topdesk --tenant enschede
    SLA_WEBHOOK_SECRET_JIRA=…   python -m tools.webhook_credential --tool jira --tenant enschede

The master secret is read from the environment variable the Function App
reads (never from the command line, so it stays out of shell history). The
credential printed is what the tool sends for that tenant only: the TOPdesk
bearer token, or the secret of the Jira webhook (see
:mod:`sla_app.services.tool_credentials` and docs/deploy.md).
"""

from __future__ import annotations

import argparse
import os
import sys

from sla_app.errors import Unauthorized
from sla_app.services.tool_credentials import tenant_credential, tenant_parameter

MASTER = {"topdesk": "SLA_WEBHOOK_TOKEN_TOPDESK", "jira": "SLA_WEBHOOK_SECRET_JIRA"}


def main(argv: list[str] | None = None) -> int:
    """Print the credential; exit 2 when the master secret is not set or the tenant id is invalid."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", choices=sorted(MASTER), required=True)
    parser.add_argument("--tenant", required=True)
    args = parser.parse_args(argv)
    try:
        tenant = tenant_parameter({"tenant": args.tenant})
        print(tenant_credential(os.environ.get(MASTER[args.tool], ""), args.tool, tenant))
    except Unauthorized:
        print(f"error: set {MASTER[args.tool]} to the tool's master secret", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 — BadRequest: not a tenant id
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
