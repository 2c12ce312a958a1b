"""``make demo``'s own checks: out/ holds one run only, and stored and CLI reports are compared over every key."""

from __future__ import annotations

from pathlib import Path

from tools.demo import differing_keys, fresh_out


def test_out_is_emptied_so_no_file_of_an_earlier_run_remains(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "enschede-2026-05-v1-2.eml").write_text("earlier run", encoding="utf-8")
    (out / "nested").mkdir()
    fresh_out(out)
    assert out.is_dir() and list(out.iterdir()) == []
    fresh_out(tmp_path / "new")
    assert (tmp_path / "new").is_dir()


def test_every_key_is_compared_and_the_differing_ones_are_named() -> None:
    stored = {"tenant": "enschede", "contract_version": "seed v1", "exclusions": [], "outcomes": [1]}
    direct = dict(stored, contract_version="seed v1 — voorbeeldomgeving")
    assert differing_keys(stored, direct) == ["contract_version"]
    assert differing_keys(stored, dict(stored)) == []
    assert differing_keys(stored, {k: v for k, v in stored.items() if k != "exclusions"}) == ["exclusions"]
    assert differing_keys(dict(stored, status="final"), stored) == ["status"]
