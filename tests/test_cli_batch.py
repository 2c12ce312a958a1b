"""``report-all`` (measurement §7): lines routed to their tenants, each parsed once, the same errors as ``report``."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sla_cli import routing
from sla_cli.files import mapped_bytes, read_contract
from sla_cli.main import main, run
from sla_cli.routing import route_lines
from sla_core.errors import InputError
from tests.support.core import opened

AS_OF = "2026-11-28T00:00:00+01:00"
NOW = datetime(2026, 11, 28, tzinfo=UTC)
CSV = "TimeGenerated,Name,Location,Success,DurationMs\n2026-10-05T07:00:01.000Z,portaal,West Europe,True,800\n"


def event(n: int, tenant: str = "enschede", **fields: object) -> str:
    return json.dumps(opened("2026-10-05T09:00:00+02:00", ticket=f"M{n}", event_id=f"e{n}", tenant=tenant, **fields))


def common(folder: Path, lines: list[str]) -> list[str]:
    events, results = folder / "events.jsonl", folder / "results.csv"
    events.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results.write_text(CSV, encoding="utf-8")
    return ["--month", "2026-10", "--events", str(events), "--availability", str(results), "--as-of", AS_OF]


@pytest.mark.parametrize(
    ("lines", "tenants"),
    [
        pytest.param(
            [event(1), "", event(2, "hengelo"), "   "], {"enschede": [1], "hengelo": [3]}, id="blank lines are skipped"
        ),
        pytest.param(
            [event(1).replace('"tenant": "enschede"', '"tenant" :  "enschede"')],
            {"enschede": [1]},
            id="spaces around the colon",
        ),
        pytest.param(
            [event(1, "hengelo").replace('"hengelo"', '"hen\\u0067elo"'), event(2, "hengelo")],
            {"hengelo": [1, 2]},
            id="an escaped tenant is decoded and joins the plain one in file order",
        ),
        pytest.param(
            [event(1, status="tenant"), event(2, "hengelo", status='"tenant": "enschede"')],
            {"enschede": [1], "hengelo": [2]},
            id="the word tenant in a value does not mislead",
        ),
        pytest.param([event(1) + "\r"], {"enschede": [1]}, id="a CRLF line ending"),
    ],
)
def test_lines_are_routed_to_their_tenant_in_file_order(lines: list[str], tenants: dict[str, list[int]]) -> None:
    routes = route_lines("\n".join(lines).encode("utf-8"), "events.jsonl")
    assert routes.error is None
    assert {t: [number for number, _ in routes.lines(t)] for t in routes.tenants()} == tenants


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param([event(1), event(2), "{not json"], "events.jsonl:3: invalid JSON", id="a line that is not JSON"),
        pytest.param(
            [event(1), event(2, "hengelo", priority="spoed"), event(3), event(4, priority="x")],
            "events.jsonl:2: field priority",
            id="the first bad line of the file although another tenant's comes later",
        ),
        pytest.param(
            [event(1), event(2, "hengelo"), event(1, status="gesloten")],
            "events.jsonl:3: event_id 'e1' of tenant 'enschede' conflicts with ",
            id="a conflict within one tenant's lines",
        ),
        pytest.param(
            [event(1), json.dumps({"event_id": "e9", "ticket_id": "M9"}), event(3, priority="x")],
            "events.jsonl:2: field tenant",
            id="a line without a tenant",
        ),
    ],
)
def test_a_bad_line_writes_nothing_and_is_named_as_report_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lines: list[str], expected: str
) -> None:
    shared = common(tmp_path, lines)
    out = tmp_path / "out"
    for jobs in ("1", "2"):
        assert main(["report-all", *shared, "--out", str(out), "--jobs", jobs]) == 2
        batch_error = capsys.readouterr().err
        assert expected in batch_error
        assert list(out.iterdir()) == []  # nothing written, no staging folder left
    assert main(["report", "--tenant", "enschede", *shared]) == 2
    assert capsys.readouterr().err == batch_error


def test_every_tenant_is_reported_once_whatever_the_number_of_workers(tmp_path: Path) -> None:
    lines = [event(n, f"gemeente-{n % 7}") for n in range(1, 60)]
    shared = common(tmp_path, lines)
    written = {}
    for jobs in ("1", "2", "5"):
        out = tmp_path / f"out-{jobs}"
        assert run(["report-all", *shared, "--out", str(out), "--jobs", jobs], NOW).startswith("7 reports")
        written[jobs] = {path.name: path.read_bytes() for path in out.iterdir()}
    assert written["1"] == written["2"] == written["5"] and len(written["1"]) == 7


def test_a_missing_contract_file_is_an_input_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"bestaat-niet\.json: cannot read contract file"):
        read_contract(tmp_path / "bestaat-niet.json")


_LINE_SHAPES = st.sampled_from(["plain", "spaced", "escaped", "word in a value", "crlf", "blank", "nested key"])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["enschede", "hengelo", "a.b-c"]), _LINE_SHAPES), max_size=30),
    st.sampled_from([routing.CHUNK, 1, 2, 97, 300]),
    st.booleans(),
)
def test_routing_agrees_with_decoding_every_line(
    shapes: list[tuple[str, str]], chunk: int, final_newline: bool
) -> None:
    """The chunked byte search routes each line where decoding it would (a property over line shapes and chunk sizes)."""
    lines = []
    for n, (tenant, shape) in enumerate(shapes, 1):
        line = event(n, tenant)
        if shape == "spaced":
            line = line.replace('"tenant": ', '"tenant" \t:  ')
        elif shape == "escaped":
            line = line.replace(f'"tenant": "{tenant}"', f'"tenant": "\\u00{ord(tenant[0]):02x}{tenant[1:]}"')
        elif shape == "word in a value":
            line = line.replace('"status": "nieuw"', '"status": "\\"tenant\\": x"')
        elif shape == "crlf":
            line += "\r"
        elif shape == "blank":
            line = "  "
        elif shape == "nested key":
            line = line[:-1] + ', "extra": {"tenant": "elders"}}'
        lines.append(line)
    data = "\n".join(lines).encode("utf-8") + (b"\n" if final_newline and lines else b"")
    with mock.patch.object(routing, "CHUNK", chunk):
        routes = route_lines(data, "events.jsonl")
    expected: dict[str, list[int]] = {}
    for number, line in enumerate(lines, 1):
        if line.strip():
            expected.setdefault(json.loads(line)["tenant"], []).append(number)
    assert routes.error is None
    assert {t: [number for number, _ in routes.lines(t)] for t in routes.tenants()} == expected
    assert routes.tenants() == list(expected)  # in order of first appearance
    assert all(line == lines[number - 1].encode() for t in routes.tenants() for number, line in routes.lines(t))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.sampled_from(["enschede", "hengelo", "a.b-c", "bad", "blank"]), max_size=40),
    st.sampled_from([1, 97, 300]),
    st.data(),
)
def test_chunks_scanned_by_two_processes_route_as_one_scan_does(tenants: list[str], chunk: int, data) -> None:
    """report-all's router child and the parent each scan the chunks they take from a shared counter: whichever
    chunks each takes, in whatever order, the routes put together are those of a single scan (bad lines too)."""
    lines = []
    for n, tenant in enumerate(tenants, 1):
        lines.append("  " if tenant == "blank" else '{"tenant": 7}' if tenant == "bad" else event(n, tenant))
    raw = "\n".join(lines).encode("utf-8")
    with mock.patch.object(routing, "CHUNK", chunk):
        whole = route_lines(raw, "events.jsonl")
        bounds = routing.chunk_bounds(raw)
        numbers = list(range(len(bounds)))
        child = data.draw(st.lists(st.sampled_from(numbers), unique=True)) if numbers else []
        rest = data.draw(st.permutations([n for n in numbers if n not in child]))
        scans = [routing.scan_chunks(raw, bounds, child), routing.scan_chunks(raw, bounds, rest)]
        together = routing.assemble(raw, bounds, scans, "events.jsonl")
    assert together.error == whole.error
    assert together.tenants() == whole.tenants()
    assert {t: list(together.lines(t)) for t in together.tenants()} == {
        t: list(whole.lines(t)) for t in whole.tenants()
    }


@pytest.mark.parametrize(
    ("content", "routed"),
    [
        pytest.param(b"", {}, id="an empty file maps to no lines"),
        pytest.param(event(1).encode() + b"\n", {"enschede": [1]}, id="a mapped file routes as its bytes do"),
    ],
)
def test_the_events_file_is_mapped_for_the_run_and_released_after(
    tmp_path: Path, content: bytes, routed: dict[str, list[int]]
) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(content)
    with mapped_bytes(path, "events") as data:
        routes = route_lines(data, str(path))
        assert {t: [n for n, _ in routes.lines(t)] for t in routes.tenants()} == routed
    assert data == b"" or data.closed, "the mapping is closed after the block"
    path.unlink()
    with pytest.raises(InputError, match="cannot read events"), mapped_bytes(path, "events"):
        pass
