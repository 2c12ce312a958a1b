"""``python -m sla_app.health_cli [--json]``: the health view of the configured storage, for an operator.

Set the app settings in the environment (``SLA_STORAGE_CONNECTION_STRING`` for
Azurite) and run it; ``--json`` prints the raw document (:mod:`sla_app.health`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from sla_app import bootstrap
from sla_app.health import as_text
from sla_app.settings import Settings, SettingsError


def main(argv: list[str] | None = None, environ: dict[str, str] | None = None) -> int:
    """Print the health view of the configured storage; 2 when the settings are not valid."""
    parser = argparse.ArgumentParser(prog="python -m sla_app.health_cli", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the raw JSON document")
    args = parser.parse_args(argv)
    try:
        ctx = bootstrap.build(Settings.from_environ(os.environ if environ is None else environ))
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    import function_app  # noqa: F401 — registers the timers (telemetry.TIMERS)

    document = ctx.health.snapshot()
    sys.stdout.write(json.dumps(document, indent=2) + "\n" if args.json else as_text(document))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
