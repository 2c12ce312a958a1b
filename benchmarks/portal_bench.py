"""The portal's pages over the demo data (issue: a municipality page loads in under 1 s locally).

The portal runs as ``make portal`` runs it (Azurite, the demo pipeline, the
local HTTP server). Each page is fetched over loopback HTTP as a signed-in
browser would (local sign-in cookie), 15 times after one warm-up; printed
are the median and the slowest, in milliseconds. Peer: the portal's static
style sheet through the same server in the same run, i.e. the cost of the
server path itself, for the ratio.
"""

from __future__ import annotations

import statistics
import time as clock
import urllib.request

from benchmarks import verdict
from sla_app.portal.security import LOCAL_PRINCIPAL_COOKIE, encode_local_principal

TARGET_MS = 1000.0
ROUNDS = 15


def _timed(url: str, cookie: str) -> list[float]:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    urllib.request.urlopen(request).read()  # warm-up
    times = []
    for _ in range(ROUNDS):
        started = clock.perf_counter()
        with urllib.request.urlopen(request) as response:
            response.read()
        times.append((clock.perf_counter() - started) * 1000)
    return times


def run(quick: bool = False) -> None:
    """Print ``portal_*`` lines."""
    from tools.portal import demo_portal

    print("\n== portal pages over the demo data (loopback HTTP) ==")
    with demo_portal(0) as (base, _):
        reader = f"{LOCAL_PRINCIPAL_COOKIE}={encode_local_principal('SLA.Reader', 'almelo')}"
        admin = f"{LOCAL_PRINCIPAL_COOKIE}={encode_local_principal('SLA.Admin', None)}"
        static = _timed(f"{base}/api/portal/static/portal.css", reader)
        page = _timed(f"{base}/api/portal/tenants/almelo", reader)
        overview = _timed(f"{base}/api/portal/overview", admin)
    median = statistics.median(page)
    print(f"portal_static_ms: {statistics.median(static):.1f}")
    print(f"portal_overview_page_ms: {statistics.median(overview):.1f} (slowest {max(overview):.1f})")
    print(f"portal_page_vs_static_ratio: {median / statistics.median(static):.1f}x")
    print(
        f"portal_municipality_page_ms: {median:.1f} (slowest {max(page):.1f}; target < {TARGET_MS:.0f}: {verdict(median < TARGET_MS)})"
    )
