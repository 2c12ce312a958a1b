"""The month-end drill at CI size: each scenario played once, then judged from several sides.

``make drill`` plays the same scenarios from the 14th (or, with many tenants,
the 27th); here they start a few days before the month end with 3-6 tenants,
so the suite stays fast. Every tenant must receive exactly one
report e-mail for the month (corrections only where figures changed), with
the figures ``python -m sla_cli report`` computes over the complete data.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime

import pytest

from tests.drill.drill_cron import Schedule
from tests.drill.drill_host import host_settings, infra_queues
from tests.drill.drill_run import POISON, DrillRun, faults_for, run
from tests.drill.drill_world import SCENARIOS
from tools.local_pipeline import registered

MAX_DEQUEUE = int(host_settings()["maxDequeueCount"])
# scenario -> (measured tenants, start day): june has one tenant per kind of Graph fault.
CI_SIZES = {"june-2026": (6, 27), "october-2026": (3, 26), "late-day-2026-07": (3, 30)}


@functools.cache
def played(name: str) -> DrillRun:
    """One run per scenario per test session (several tests judge the same run)."""
    drill = run(SCENARIOS[name].sized(*CI_SIZES[name]))
    print(f"\n{name}: {drill.line}")
    return drill


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("june-2026", id="June 2026: 100 minutes down on its last afternoon, a working day"),
        pytest.param("october-2026", id="October 2026: summer time ends on the 25th"),
        pytest.param("late-day-2026-07", id="July 2026: its last day reaches Azure Monitor a day late"),
    ],
)
def test_every_tenant_gets_one_report_e_mail_with_the_cli_figures(name: str) -> None:
    drill = played(name)
    assert drill.verdict.ok, "\n".join([drill.line, *drill.verdict.problems])
    assert drill.line.startswith(f"drill: {CI_SIZES[name][0]} tenants, delivered {CI_SIZES[name][0]}, duplicates 0,")


def test_the_queues_exist_as_infra_declares_them_before_the_app_first_runs() -> None:
    queues = played("june-2026").queues
    assert "monthly-reports" in queues and queues == sorted(infra_queues().values())


def test_every_timer_fires_at_the_instants_of_its_registered_schedule() -> None:
    drill = played("june-2026")
    scenario = drill.world.scenario
    timers = {
        name: f.get_trigger().schedule
        for name, f in registered().items()
        if type(f.get_trigger()).__name__ == "TimerTrigger"
    }
    expected = sorted(
        (at, name) for name, text in timers.items() for at in Schedule.parse(text).firings(scenario.start, scenario.end)
    )
    assert drill.host.timer_runs == expected
    assert (datetime(2026, 7, 1, 2, 0, tzinfo=UTC), "monthly_fan_out") in expected
    daily = [at for at, name in expected if name == "availability_daily"]
    assert len(daily) == len({at.date() for at in daily}) >= 7 and {(at.hour, at.minute) for at in daily} == {(3, 30)}


def test_the_poison_message_is_retried_then_moved_to_the_poison_queue_and_audited() -> None:
    drill = played("june-2026")
    assert [(queue, body) for queue, body in drill.host.poisoned] == [("monthly-reports", '{"tenant": "drill-001"}')]
    assert POISON == {"tenant": "drill-001"}
    attempts = [f for f in drill.host.failures if "KeyError" in f[2]]
    assert len(attempts) == MAX_DEQUEUE
    audited = [e["action"] for e in drill.audit]
    assert audited.count("report.failed") >= MAX_DEQUEUE and audited.count("report.poisoned") >= 1


def test_messages_come_twice_and_one_tenant_fails_twice_before_it_is_computed() -> None:
    drill = played("june-2026")
    assert drill.host.redelivered >= 1
    assert drill.flaky.injected == 2
    assert sum("drill fault" in f[2] for f in drill.host.failures) == 2


def test_every_graph_fault_is_met_once() -> None:
    drill = played("june-2026")
    tenants = drill.world.measured
    assert {tenant for tenant, _ in drill.graph.faults_applied} == set(faults_for(tenants))
    resent = {line.split()[1] for line in drill.operator_resends}
    assert "drill-005" in resent, "reset before sending: not in Sent Items, so the operator resends"
    assert not resent & {"drill-002", "drill-003", "drill-004"}, "accepted despite the fault: never resent"


def test_the_supplier_gets_each_notice_once() -> None:
    subjects = [m.subject for m in played("june-2026").supplier_mails]
    assert subjects, "the overview of the month reaches the supplier's service desk"
    assert len(subjects) == len(set(subjects)), subjects
