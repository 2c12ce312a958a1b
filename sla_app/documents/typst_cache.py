"""The Typst compiler's memoisation cache, which a worker keeps after rendering, and its release (after each delivery).

The charts and the PDF are laid out by Typst (``typst`` wheel,
:mod:`sla_app.documents`). Typst memoises its work in a process-wide cache,
and the Python binding evicts from it after every compilation only what the
last 10 compilations did not use (``comemo::evict(10)``). A tenant's charts
and PDF (two compilations) leave ~75 MB there, so a worker keeps the last
five tenants' work: ~610 MB instead of ~250 MB after a handful of tenants
(docs/operations.md, "Queue concurrency and memory"). The binding has no
call to empty the cache, but each compilation ages every entry by one, so
compiling an empty document :data:`AGE_OUT` times drops everything older.
Each pass walks the cache: ~0.1 s CPU after a tenant, 3–5 % of rendering,
which the renderer's own evictions then no longer spend on a fuller cache.

:func:`release_document_caches` does that when Typst is loaded (it never
imports it). It is called after each delivery queue message and after each
tenant of an admin run; it is safe while another thread compiles (that
compilation may recompute, never fails).
"""

from __future__ import annotations

import logging
import sys
import tempfile
import threading
from pathlib import Path

AGE_OUT = 11  # more than the binding's eviction age (10 compilations)

_log = logging.getLogger("sla_app.documents")
_lock = threading.Lock()


def release_document_caches() -> bool:
    """Age the Typst cache's entries out (see the module docstring); False when Typst is not loaded."""
    typst = sys.modules.get("typst")
    if typst is None:
        return False
    try:
        with _lock, tempfile.TemporaryDirectory(prefix="sla-typst-") as scratch:
            source = Path(scratch) / "empty.typ"
            source.write_text("", encoding="utf-8")
            fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[])
            compiler = typst.Compiler(str(source), root=scratch, font_paths=fonts, ignore_system_fonts=True)
            for _ in range(AGE_OUT):
                compiler.compile(format="svg")
    except Exception:  # noqa: BLE001 — releasing memory must never fail a delivery
        _log.warning("releasing the Typst cache failed", exc_info=True)
        return False
    return True
