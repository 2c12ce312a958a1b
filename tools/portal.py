"""``make portal``: the service-level portal over Azurite with the demo data, at http://127.0.0.1:7071/portal/.

Runs the same local pipeline as ``make demo`` (sample tenants, events,
availability, exclusions, the May 2026 month run and its delivery to
``out/``), with the clock at the demo's instant (5 June 2026), then serves the
registered functions on loopback until Ctrl-C. The local sign-in
(``SLA_PORTAL_LOCAL_LOGIN``) is switched on here only; it lets you choose the
supplier's role or a municipality's. ``--port 0`` picks a free port;
``--once`` starts, prints the address and stops (used by the tests).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import threading
from collections.abc import Iterator
from datetime import datetime

from sla_app import bootstrap
from sla_app.bootstrap import AppContext
from tools import azurite, http_server, local_pipeline
from tools.demo import AS_OF, MONTH, OUT, SAMPLES, local_settings


@contextlib.contextmanager
def demo_portal(port: int = 7071, as_of: datetime = AS_OF) -> Iterator[tuple[str, AppContext]]:
    """Azurite with the demo data, the services over it and the local server; yields (base URL, services)."""
    server = azurite.start()
    try:
        OUT.mkdir(exist_ok=True)
        settings = local_settings(server.connection_string).model_copy(update={"portal_local_login": True})
        ctx = bootstrap.build(settings, clock=lambda: as_of)
        bootstrap.use(ctx)
        local_pipeline.run(ctx, SAMPLES, MONTH)
        with http_server.serve(port=port) as base:
            yield base, ctx
    finally:
        bootstrap.use(None)
        server.stop()


def main(argv: list[str] | None = None) -> None:
    """Serve the portal until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=7071)
    parser.add_argument("--once", action="store_true", help="start, print the address, stop")
    args = parser.parse_args(argv)
    for marker in ("WEBSITE_INSTANCE_ID", "WEBSITE_SITE_NAME"):
        if os.environ.get(marker):
            raise SystemExit(f"{marker} is set: this looks like Azure, where the local sign-in is never allowed")
    with demo_portal(args.port) as (base, _):
        print(f"Portaal: {base}/portal/ (lokaal aanmelden: kies een rol). Stoppen met Ctrl-C.", flush=True)
        if not args.once:
            with contextlib.suppress(KeyboardInterrupt):
                threading.Event().wait()


if __name__ == "__main__":
    main()
