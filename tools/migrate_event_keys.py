"""Move ticket events of the first key layout to the identity key (docs/input.md).

    python -m tools.migrate_event_keys

Reads the app settings from the environment (as the Function App does),
moves every row keyed ``<ticket_id>|<event_id>`` to ``<event_id>`` and prints
what it moved and the rows it could not move (and why). Idempotent: run it
again at any time. Exit code 0 when nothing is left, 1 when rows were refused.
"""

from __future__ import annotations

import sys

from sla_app.bootstrap import context


def main() -> int:
    """Run the migration over the configured storage account."""
    done = context().events.migrate_keys()
    print(f"moved {done.moved} event(s) to the identity key (tenant, event_id)")
    for line in done.refused:
        print(f"not moved: {line}")
    return 1 if done.refused else 0


if __name__ == "__main__":
    sys.exit(main())
