"""The alert rules, read from infra/: structure, queries against what the code writes, runbook.

The log rules parse the app's telemetry lines out of ``AppTraces`` (sla_app/telemetry.py). Here
every query is checked against that module: the table and its columns, the ``sla.event`` marker
and parse pattern, each event name (a constant of the module, written by the code), and each
dimension (``d.<key>``, one of ``telemetry.DIMENSIONS``). Every rule points at its own section of
docs/operations.md, and that section exists.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from sla_app import telemetry
from sla_core.contract import AvailabilityRule

from .bicep import (
    MAIN_BICEP,
    REPO_ROOT,
    all_resources,
    get_path,
    parse_file,
    strings,
    unwrap_loop,
)

ALERTS_BICEP = REPO_ROOT / "infra" / "core" / "monitor" / "alerts.bicep"
RUNBOOK = REPO_ROOT / "docs" / "operations.md"

# The alert rules, by name (log rules, metric rules, and the platform-down prefix).
LOG_RULES = {
    "sla-availability-not-ingested": "availability data not fresh: a day not ingested by its deadline",
    "sla-availability-day-incomplete": "availability data not fresh: a day left incomplete or partial",
    "sla-poison-messages": "monthly run health: poison-queue messages",
    "sla-report-failed": "monthly run health: failed tenant computations",
    "sla-report-provisional-past-deadline": "monthly run health: reports provisional past the delivery deadline",
    "sla-report-undelivered-past-deadline": "monthly run health: reports undelivered past the delivery deadline",
    "sla-delivery-outcome-unknown": "monthly run health: deliveries flagged outcome unknown",
    "sla-timers-stale": "monthly run health: a timer that did not run",
    "sla-health-snapshot-missing": "the health check itself went quiet",
    "sla-webhook-unauthorized": "webhook 401 bursts",
}
METRIC_RULES = {"sla-function-failures": "requests/failed", "sla-function-exceptions": "exceptions/count"}
PLATFORM_DOWN = "sla-platform-down"

# Columns of the Log Analytics table AppTraces (Azure Monitor table reference) the rules may use.
APP_TRACES_COLUMNS = {
    "TimeGenerated",
    "Message",
    "SeverityLevel",
    "Properties",
    "OperationId",
    "OperationName",
    "ParentId",
    "AppRoleName",
    "AppRoleInstance",
    "ResourceGUID",
    "SessionId",
    "UserId",
    "ItemCount",
    "_ResourceId",
}
# KQL words that start with a capital letter (none are used today; listed so a new one is a decision).
KQL_CAPITALISED: set[str] = set()


def _bicep_unescape(text: str) -> str:
    """A single-quoted Bicep string's value (pycep keeps the escapes)."""
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m.group(1), m.group(1)), text)


def _defaults() -> dict[str, str]:
    """Default values of main.bicep parameters the prelude interpolates."""
    params = parse_file(MAIN_BICEP)["parameters"]
    return {name: str(params[name]["default"]) for name in ("timezone", "availabilityDeadlineHour")}


def _prelude() -> str:
    raw = parse_file(ALERTS_BICEP)["variables"]["kqlPrelude"]["value"]
    text = _bicep_unescape(raw)
    for name, value in _defaults().items():
        text = text.replace("${" + name + "}", value)
    assert "${" not in text, text
    return text


def _log_rules() -> list[dict[str, Any]]:
    return parse_file(ALERTS_BICEP)["variables"]["logRules"]["value"]


def _metric_rules() -> list[dict[str, Any]]:
    return parse_file(ALERTS_BICEP)["variables"]["metricRules"]["value"]


def _query(rule: dict[str, Any]) -> str:
    return _prelude() + rule["query"]


def _without_strings(kql: str) -> str:
    return re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', kql)


def _descriptions() -> dict[str, str]:
    runbook = parse_file(ALERTS_BICEP)["variables"]["runbook"]["value"]
    found = {
        rule["name"]: _bicep_unescape(rule["description"]).replace("${runbook}", runbook)
        for rule in _log_rules() + _metric_rules()
    }
    for resource in all_resources("Microsoft.Insights/metricAlerts"):
        if resource.file.name == "availability-tests.bicep":
            found[PLATFORM_DOWN] = " ".join(strings(resource.get("properties.description")))
    return found


# -- the action group ------------------------------------------------------------------------------


def test_there_is_one_action_group_whose_targets_are_parameters() -> None:
    (group,) = all_resources("Microsoft.Insights/actionGroups")
    emails = group.get("properties.emailReceivers")
    webhooks = group.get("properties.webhookReceivers")
    assert emails["loop_type"]["detail"]["array_name"] == "alertEmails"
    assert webhooks["loop_type"]["detail"]["array_name"] == "alertWebhookUrls"
    assert unwrap_loop(emails)["useCommonAlertSchema"] is True and unwrap_loop(webhooks)["useCommonAlertSchema"] is True
    module = parse_file(MAIN_BICEP)["modules"]["alerts"]["config"]["params"]
    assert (module["alertEmails"], module["alertWebhookUrls"]) == ("alertEmails", "alertWebhookUrls")
    for name in ("alertEmails", "alertWebhookUrls"):
        assert parse_file(MAIN_BICEP)["parameters"][name]["default"] == []


def test_every_rule_notifies_the_action_group() -> None:
    for rule in all_resources("Microsoft.Insights/scheduledQueryRules"):
        assert set(strings(rule.get("properties.actions.actionGroups"))) >= {"actionGroup", "id"}, rule
    for rule in all_resources("Microsoft.Insights/metricAlerts"):
        targets = set(strings(rule.get("properties.actions")))
        assert "actionGroupId" in targets or {"actionGroup", "id"} <= targets, rule


# -- the catalogue of rules ------------------------------------------------------------------------


def test_the_log_rules_are_the_ones_issue_13_asks_for() -> None:
    assert [r["name"] for r in _log_rules()] and {r["name"] for r in _log_rules()} == set(LOG_RULES)
    (resource,) = all_resources("Microsoft.Insights/scheduledQueryRules")
    assert resource.looped and resource.body["kind"] == "LogAlert"
    assert set(strings(resource.get("properties.scopes"))) == {"workspaceId"}
    assert resource.get("properties.criteria.allOf")[0]["query"] == "${kqlPrelude}${rule.query}"


def test_the_metric_rules_watch_failures_and_exceptions() -> None:
    assert {r["name"]: r["metric"] for r in _metric_rules()} == METRIC_RULES


def test_the_platform_is_down_when_min_failed_locations_fail_at_once() -> None:
    (down,) = [r for r in all_resources("Microsoft.Insights/metricAlerts") if r.file.name == "availability-tests.bicep"]
    assert down.looped and down.body["name"].startswith(PLATFORM_DOWN)
    criteria = down.get("properties.criteria")
    assert criteria["'odata.type'"] == "Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria"
    assert criteria["failedLocationCount"] == "minFailedLocations"
    assert down.get("properties.severity") == 0
    main = parse_file(MAIN_BICEP)
    assert main["modules"]["availabilityTests"]["config"]["params"]["minFailedLocations"] == "minFailedLocations"
    contract_default = AvailabilityRule.model_fields["min_failed_locations"].default
    assert main["parameters"]["minFailedLocations"]["default"] == contract_default, "keep equal to the contract"


@pytest.mark.parametrize("rule", [pytest.param(r, id=r["name"]) for r in _log_rules()])
def test_a_log_rule_is_sane(rule: dict[str, Any]) -> None:
    assert rule["severity"] in (0, 1, 2, 3, 4)
    assert re.fullmatch(r"PT(5|15|30)M|PT1H|PT[1-6]H|P1D|P2D", rule["window"]), rule["window"]
    assert re.fullmatch(r"PT(5|15|30)M|PT1H", rule["frequency"]), rule["frequency"]
    assert rule["operator"] in ("GreaterThan", "LessThan")


# -- queries against what the code writes ------------------------------------------------------------


def test_the_prelude_parses_the_lines_telemetry_writes() -> None:
    prelude = _prelude()
    marker = f'"{telemetry.MARKER} "'
    assert f"| where Message startswith {marker}" in prelude
    match = re.search(r'\| parse Message with "([^"]*)" Event:string "([^"]*)" Payload:string', prelude)
    assert match, prelude
    assert "| extend d = parse_json(Payload)" in prelude
    line = telemetry.format_event("report.computed", telemetry.dimensions(tenant="enschede", month="2026-10"))
    # KQL parse, in Python: the literal prefix, Event up to the next separator, Payload the rest.
    assert line.startswith(match.group(1))
    event, _, payload = line[len(match.group(1)) :].partition(match.group(2))
    assert (event, json.loads(payload)) == ("report.computed", {"month": "2026-10", "tenant": "enschede"})
    assert f"let localZone = '{_defaults()['timezone']}';" in prelude


@pytest.mark.parametrize("rule", [pytest.param(r, id=r["name"]) for r in _log_rules()])
def test_a_query_reads_only_app_traces_and_its_own_columns(rule: dict[str, Any]) -> None:
    kql = _without_strings(_query(rule))
    tables = set(re.findall(r"\b(App[A-Z][A-Za-z]+)\b", kql))
    assert tables == {"AppTraces"}, tables
    defined = set(re.findall(r"\b([A-Za-z_]\w*):string\b", kql)) | set(re.findall(r"\b([A-Za-z_]\w*)\s*=(?!=)", kql))
    used = set(re.findall(r"\b([A-Z]\w*)\b", kql)) - {"AppTraces"}
    unknown = used - APP_TRACES_COLUMNS - defined - KQL_CAPITALISED
    assert not unknown, f"{rule['name']}: columns AppTraces does not have: {sorted(unknown)}"


def _events_named(kql: str) -> set[str]:
    names = set(re.findall(r'Event\s*==\s*"([^"]+)"', kql))
    for group in re.findall(r"Event\s+in\s*\(([^)]*)\)", kql):
        names |= set(re.findall(r'"([^"]+)"', group))
    return names


CODE_EVENTS = {value for name, value in vars(telemetry).items() if name.isupper() and isinstance(value, str)}


@pytest.mark.parametrize("rule", [pytest.param(r, id=r["name"]) for r in _log_rules()])
def test_a_query_names_only_events_and_dimensions_the_code_writes(rule: dict[str, Any]) -> None:
    kql = rule["query"]
    named = _events_named(kql)
    suffixes = set(re.findall(r'Event\s+endswith\s+"([^"]+)"', kql))
    assert named or suffixes, f"{rule['name']} filters on no event"
    assert named <= CODE_EVENTS, f"not a telemetry constant: {sorted(named - CODE_EVENTS)}"
    assert suffixes <= {telemetry.POISONED_SUFFIX}
    keys = set(re.findall(r"\bd\.(\w+)", kql))
    assert keys <= telemetry.DIMENSIONS, f"not a dimension: {sorted(keys - telemetry.DIMENSIONS)}"


SOURCES = {path: path.read_text() for path in (REPO_ROOT / "sla_app").rglob("*.py") if path.name != "telemetry.py"}


@pytest.mark.parametrize(
    "name",
    sorted(
        {n for r in _log_rules() for n in _events_named(r["query"])}
        - {telemetry.HEALTH_SNAPSHOT, telemetry.HTTP_UNAUTHORIZED}
    ),
)
def test_an_audit_action_a_rule_reads_is_written_by_the_code(name: str) -> None:
    """Events named after audit actions come from AdminRepository.audit: the action literal must exist."""
    writers = [path.name for path, text in SOURCES.items() if f'"{name}"' in text]
    assert writers, f"no code audits {name!r}: the rule would never fire"


def test_a_poison_action_is_written_by_the_code() -> None:
    assert any(re.search(r'"[a-z_]+\.poisoned"', text) for text in SOURCES.values())


def test_the_snapshot_rules_read_keys_of_the_health_summary() -> None:
    health_source = (REPO_ROOT / "sla_app" / "health.py").read_text()
    for rule in _log_rules():
        if telemetry.HEALTH_SNAPSHOT in _events_named(rule["query"]):
            for key in set(re.findall(r"\bd\.(\w+)", rule["query"])):
                assert f'"{key}":' in health_source, f"{rule['name']}: the health summary has no {key}"


# -- descriptions and the runbook ---------------------------------------------------------------------


def _runbook_anchors() -> set[str]:
    return {
        m.group(1).strip() for m in re.finditer(r"^#{2,4} +`?([a-z0-9-]+)`?\s*$", RUNBOOK.read_text(), re.MULTILINE)
    }


@pytest.mark.parametrize("name", sorted(LOG_RULES) + sorted(METRIC_RULES) + [PLATFORM_DOWN])
def test_every_rule_describes_itself_and_points_at_its_runbook_section(name: str) -> None:
    description = _descriptions()[name]
    assert len(description) >= 120, description
    assert f"docs/operations.md#{name}" in description
    assert name in _runbook_anchors(), f"docs/operations.md has no section '### {name}'"


def test_every_runbook_alert_section_is_a_rule() -> None:
    documented = {a for a in _runbook_anchors() if a.startswith("sla-")}
    assert documented == set(LOG_RULES) | set(METRIC_RULES) | {PLATFORM_DOWN}


def test_every_rule_name_appears_in_the_runbook() -> None:
    text = RUNBOOK.read_text()
    names = [r["name"] for r in _log_rules() + _metric_rules()]
    for resource in all_resources("Microsoft.Insights/metricAlerts"):
        if resource.file.name == "availability-tests.bicep":
            (name,) = [s for s in strings(resource.body["name"]) if s.startswith("sla-")]
            names.append(name.split("${")[0].rstrip("-"))
    assert PLATFORM_DOWN in names
    for name in names:
        assert name in text, name


def test_log_analytics_and_application_insights_state_why_access_is_public() -> None:
    for resource in all_resources("Microsoft.OperationalInsights/workspaces", "Microsoft.Insights/components"):
        for key in ("publicNetworkAccessForIngestion", "publicNetworkAccessForQuery"):
            value = get_path(resource.body, f"properties.{key}")
            assert value in ("Enabled", "Disabled"), f"{resource}: {key} must be set explicitly"
        if "Enabled" in (
            resource.get("properties.publicNetworkAccessForIngestion"),
            resource.get("properties.publicNetworkAccessForQuery"),
        ):
            text = resource.file.read_text()
            assert re.search(r"// Public network access, stated:", text), f"{resource}: state the reason"
