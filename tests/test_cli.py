"""The command line (measurement §7): stable JSON keys, Dutch text, one-line errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sla_cli.main import main, run

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-28T00:00:00+01:00"
NOW = datetime(2026, 11, 28, tzinfo=UTC)

EVENTS = [
    {
        "event_id": "e1",
        "tenant": "enschede",
        "ticket_id": "M1",
        "occurred_at": "2026-10-05T09:00:00+02:00",
        "kind": "opened",
        "type": "incident",
        "priority": "hoog",
        "status": "nieuw",
        "scope": "platform",
        "caller": "Jan Jansen",
        "description": "vrije tekst",
    },
    {
        "event_id": "e2",
        "tenant": "enschede",
        "ticket_id": "M1",
        "occurred_at": "2026-10-05T09:40:00+02:00",
        "kind": "responded",
    },
    {
        "event_id": "e3",
        "tenant": "enschede",
        "ticket_id": "M1",
        "occurred_at": "2026-10-05T15:00:00+02:00",
        "kind": "resolved",
    },
    {
        "event_id": "e4",
        "tenant": "hengelo",
        "ticket_id": "M2",
        "occurred_at": "2026-10-05T09:00:00+02:00",
        "kind": "opened",
        "type": "incident",
        "priority": "urgent",
    },
]
CSV = (
    "TimeGenerated,Name,Location,Success,DurationMs\n"
    "2026-10-05T07:00:01.000Z,portaal,West Europe,True,800\n"
    "2026-10-05T07:00:02.000Z,portaal,North Europe,True,3500\n"
)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(json.dumps(e) for e in EVENTS) + "\n", encoding="utf-8")
    results = tmp_path / "results.csv"
    results.write_text(CSV, encoding="utf-8")
    exclusions = tmp_path / "exclusions.json"
    exclusions.write_text(
        json.dumps([{"start": "2026-10-06T10:00:00+02:00", "end": "2026-10-06T10:30:00+02:00", "reason": "Vtlb"}]),
        encoding="utf-8",
    )
    return {"events": events, "results": results, "exclusions": exclusions, "dir": tmp_path}


def inputs(files: dict[str, Path], month: str = "2026-10") -> list[str]:
    """The month and the input files, as ``report`` and ``report-all`` both take them."""
    return [
        "--month",
        month,
        "--events",
        str(files["events"]),
        "--availability",
        str(files["results"]),
        "--as-of",
        AS_OF,
    ]


def args(files: dict[str, Path], *extra: str, tenant: str = "enschede", month: str = "2026-10") -> list[str]:
    return ["report", "--tenant", tenant, *inputs(files, month), *extra]


def test_json_output_has_the_stable_keys_of_rules_section_7(files: dict[str, Path]) -> None:
    report = json.loads(run(args(files, "--exclusions", str(files["exclusions"])), NOW))
    assert report["tenant"] == "enschede" and report["month"] == "2026-10"
    levels = report["service_levels"]
    assert set(levels) == {
        "availability",
        "response_time",
        "restore_time_platform",
        "restore_time_application",
        "load_time",
    }
    assert {"norm", "value", "met", "scheduled_minutes", "down_minutes", "unknown_minutes"} <= set(
        levels["availability"]
    )
    for metric in ("response_time", "restore_time_platform", "restore_time_application"):
        assert {"norm", "value", "met", "decided", "within", "by_priority"} <= set(levels[metric])
    assert {"target_seconds", "value", "samples", "p95_seconds"} <= set(levels["load_time"])
    assert levels["response_time"]["by_priority"]["hoog"]["decided"] == 1
    first = report["outcomes"][0]
    assert {"ticket_id", "metric", "priority", "outcome", "decided_at", "elapsed_minutes", "target_minutes"} <= set(
        first
    )
    assert report["trailing_12_months"]["response_time"]["decided"] == 1
    assert report["exclusions"][0]["reason"] == "Vtlb"


def test_outcomes_of_a_ticket_resolved_the_same_day(files: dict[str, Path]) -> None:
    report = json.loads(run(args(files), NOW))
    by_metric = {o["metric"]: o for o in report["outcomes"]}
    assert by_metric["response_time"]["outcome"] == "met"
    assert by_metric["response_time"]["elapsed_minutes"] == pytest.approx(40.0)
    assert by_metric["restore_time_platform"]["outcome"] == "breached"  # hoog: 4 h, resolved after 6 h
    assert by_metric["restore_time_platform"]["decided_at"] == "2026-10-05T13:00:00+02:00"
    # the breach shows its real length (09:00 → 15:00 = 6 h of service hours), not cut at the target
    assert by_metric["restore_time_platform"]["elapsed_minutes"] == pytest.approx(240.0)
    assert by_metric["restore_time_platform"]["actual_elapsed_minutes"] == pytest.approx(360.0)
    assert by_metric["restore_time_platform"]["target"] == {"value": 4.0, "unit": "hours"}
    assert by_metric["response_time"]["actual_elapsed_minutes"] == pytest.approx(40.0)


def test_an_open_breach_has_no_actual_time_yet_and_does_not_change_with_as_of(files: dict[str, Path]) -> None:
    report = json.loads(run(args(files, tenant="hengelo"), NOW))
    (response,) = [o for o in report["outcomes"] if o["metric"] == "response_time"]
    assert response["outcome"] == "breached" and response["actual_elapsed_minutes"] is None
    later = json.loads(run([*args(files, tenant="hengelo")[:-2], "--as-of", "2026-11-30T00:00:00+01:00"], NOW))
    assert later["outcomes"] == report["outcomes"], "a decided outcome stays as it was (measurement §2)"
    assert "M2  Reactietijd  prioriteit urgent: loopt nog, meer dan 1 u 00 min / 1 u 00 min" in run(
        args(files, "--format", "text", tenant="hengelo"), NOW
    )


def test_text_shows_the_actual_time_of_a_breach_next_to_its_target(files: dict[str, Path]) -> None:
    text = run(args(files, "--format", "text"), NOW)
    assert "M1  Functiehersteltijd platform  prioriteit hoog: 6 u 00 min / 4 u 00 min" in text


def test_json_has_the_trend_month_by_month(files: dict[str, Path]) -> None:
    report = json.loads(run(args(files), NOW))
    trend = report["trailing_12_months"]["by_month"]
    assert [m["month"] for m in trend] == report["trailing_12_months"]["months"]
    october = trend[-1]
    assert october["month"] == "2026-10"
    assert october["response_time"] | {} == {"norm": 95.0, "value": 100.0, "met": True, "decided": 1, "within": 1}
    assert october["restore_time_platform"]["decided"] == 1 and october["restore_time_platform"]["within"] == 0
    assert october["availability"]["scheduled_minutes"] == report["service_levels"]["availability"]["scheduled_minutes"]


def test_a_not_attributable_incident_is_listed_with_its_reason(files: dict[str, Path]) -> None:
    extra = {
        "event_id": "e9",
        "tenant": "enschede",
        "ticket_id": "M9",
        "occurred_at": "2026-10-07T10:00:00+02:00",
        "kind": "opened",
        "type": "incident",
        "priority": "urgent",
        "attributable": False,
    }
    with files["events"].open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(extra) + "\n")
    report = json.loads(run(args(files), NOW))
    assert report["not_counted"] == [
        {
            "ticket_id": "M9",
            "reason": "niet toerekenbaar",
            "opened_at": "2026-10-07T10:00:00+02:00",
            "priority": "urgent",
        }
    ]
    assert "M9" not in {o["ticket_id"] for o in report["outcomes"]}
    assert "M9: niet toerekenbaar" in run(args(files, "--format", "text"), NOW)
    november = json.loads(run(args(files, month="2026-11"), NOW))
    assert november["not_counted"] == [], "listed in the month it was opened in only"


@pytest.mark.parametrize("tenant", ["enchede", "ENSCHEDE", "almelo"])
def test_an_unknown_tenant_is_refused_naming_the_known_ones(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], tenant: str
) -> None:
    assert main(args(files, tenant=tenant)) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --tenant '{tenant}' is unknown") and "known: enschede, hengelo" in err
    assert err.count("\n") == 1


def test_a_tenant_of_the_contract_without_events_gets_its_report(files: dict[str, Path]) -> None:
    contract = files["dir"] / "contract.json"
    contract.write_text(json.dumps({"tenants": {"almelo": {"go_live": "2026-01-01"}}}), encoding="utf-8")
    report = json.loads(run(args(files, "--contract", str(contract), tenant="almelo"), NOW))
    assert report["tenant"] == "almelo" and report["outcomes"] == []


def test_other_tenants_events_and_free_text_never_appear_in_the_report(files: dict[str, Path]) -> None:
    text = run(args(files), NOW)
    assert "M2" not in text and "Jan Jansen" not in text and "vrije tekst" not in text


def test_text_format_is_a_dutch_summary_with_one_line_per_service_level(files: dict[str, Path]) -> None:
    text = run(args(files, "--format", "text"), NOW)
    assert "oktober 2026" in text
    for name in ("Beschikbaarheid", "Reactietijd", "Functiehersteltijd platform", "Functiehersteltijd applicatie"):
        assert any(line.startswith(name) for line in text.splitlines())
    assert "niet gehaald" in text and "100,00 %" in text


def bad_contract(path: Path) -> Path:
    path.write_text(json.dumps({"availability": {"slot_minutes": 7}}), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        pytest.param(lambda f: ["report"], "required", id="missing required arguments"),
        pytest.param(lambda f: args(f, month="2026-13"), "YYYY-MM", id="a month that does not exist"),
        pytest.param(lambda f: args(f, "--format", "pdf"), "invalid choice", id="an unknown format"),
        pytest.param(lambda f: args(f, "--as-of", "2026-11-28T00:00:00"), "timezone", id="a naive --as-of"),
        pytest.param(
            lambda f: [*args(f)[:-2], "--events", str(f["dir"] / "missing.jsonl"), "--as-of", AS_OF],
            "cannot read",
            id="an events file that does not exist",
        ),
        pytest.param(
            lambda f: args(f, "--contract", str(bad_contract(f["dir"] / "c.json"))),
            "availability.slot_minutes",
            id="an invalid contract names the field",
        ),
    ],
)
def test_bad_arguments_give_one_error_line_and_exit_code_2(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], mutate, message: str
) -> None:
    assert main(mutate(files)) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    assert err.count("\n") == 1, "one line, no traceback"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        pytest.param('{"event_id": "x"', "invalid JSON", id="malformed JSON"),
        pytest.param(
            '{"event_id": "x", "tenant": "t", "ticket_id": "1", "occurred_at": "2026-10-05T09:00:00", "kind": "opened"}',
            "field occurred_at: timestamp without timezone",
            id="a naive timestamp",
        ),
        pytest.param(
            '{"event_id": "x", "tenant": "t", "ticket_id": "1", "occurred_at": "2026-10-05T09:00:00Z", "kind": "moved"}',
            "field kind: unknown value 'moved'",
            id="an unknown kind",
        ),
    ],
)
def test_a_bad_event_line_is_named_by_file_and_line(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], line: str, message: str
) -> None:
    with files["events"].open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    assert main(args(files)) == 2
    err = capsys.readouterr().err
    assert f"events.jsonl:{len(EVENTS) + 1}:" in err and message in err


def test_a_bad_csv_row_is_named_by_line_and_field(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    files["results"].write_text(CSV + "2026-10-05T07:05:00Z,portaal,West Europe,maybe,800\n", encoding="utf-8")
    assert main(args(files)) == 2
    assert "results.csv:4: field Success" in capsys.readouterr().err


def test_a_month_outside_the_measurement_window_is_refused(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    contract = files["dir"] / "contract.json"
    contract.write_text(json.dumps({"tenants": {"enschede": {"go_live": "2026-10-12"}}}), encoding="utf-8")
    assert main(args(files, "--contract", str(contract))) == 2
    assert "outside the measurement window" in capsys.readouterr().err


def test_python_dash_m_runs_the_cli_without_a_traceback(files: dict[str, Path]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sla_cli", *args(files, month="oktober")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    ok = subprocess.run(
        [sys.executable, "-m", "sla_cli", *args(files)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert json.loads(ok.stdout)["tenant"] == "enschede"


def test_report_all_writes_every_tenants_report_equal_to_report(files: dict[str, Path]) -> None:
    out = files["dir"] / "all"
    common = inputs(files)
    summary = run(["report-all", *common, "--out", str(out), "--jobs", "2"], NOW)
    assert summary.startswith("2 reports for 2026-10")
    for tenant in ("enschede", "hengelo"):
        single = run(["report", "--tenant", tenant, *common], NOW)
        assert (out / f"{tenant}-2026-10.json").read_text(encoding="utf-8") == single + "\n"


def test_report_all_skips_tenants_outside_their_window(files: dict[str, Path]) -> None:
    contract = files["dir"] / "contract.json"
    contract.write_text(json.dumps({"tenants": {"hengelo": {"go_live": "2026-10-12"}}}), encoding="utf-8")
    summary = run(
        [
            "report-all",
            *inputs(files),
            "--contract",
            str(contract),
            "--out",
            str(files["dir"] / "all"),
            "--jobs",
            "1",
        ],
        NOW,
    )
    assert "skipped: hengelo" in summary and summary.startswith("1 reports")


def test_report_all_refuses_zero_jobs(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "report-all",
        *inputs(files),
        "--out",
        str(files["dir"] / "x"),
        "--jobs",
        "0",
    ]
    assert main(argv) == 2 and "--jobs" in capsys.readouterr().err
