"""``python -m sla_app.documents.preview``: the files to look at (HTML with embedded images, PDF, ODS, text)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from sla_app.documents import preview


def test_preview_writes_the_documents(tmp_path: Path, edge_report: dict[str, Any]) -> None:
    source = tmp_path / "report.json"
    source.write_text(json.dumps(edge_report), encoding="utf-8")
    png = tmp_path / "docs" / "example.png"
    args = [str(tmp_path / "out"), "--json", str(source), "--png", str(png)]
    if shutil.which("pdftoppm") is None:
        with pytest.raises(SystemExit, match="poppler-utils"):
            preview.main(args)
    else:
        preview.main(args)
        assert png.read_bytes().startswith(b"\x89PNG")
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == [f"enschede-2026-05.{kind}" for kind in ("html", "ods", "pdf", "txt")]
    html = (tmp_path / "out" / "enschede-2026-05.html").read_text(encoding="utf-8")
    assert "cid:" not in html and html.count('src="data:image/png;base64,') == 3
