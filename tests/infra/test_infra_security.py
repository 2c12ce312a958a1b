"""The security and continuity properties SLA §4, §10 and §13 promise, read from infra/*.bicep."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .bicep import (
    MAIN_BICEP,
    MISSING,
    Resource,
    all_resources,
    bicep_files,
    decorator,
    get_path,
    parse_file,
    relative,
    resources_in,
    strings,
    unwrap_loop,
)

# Azure regions in countries of the European Economic Area (SLA §4: "EER").
EEA_REGIONS = {
    "westeurope",  # Netherlands
    "northeurope",  # Ireland
    "swedencentral",
    "swedensouth",
    "germanywestcentral",
    "germanynorth",
    "francecentral",
    "francesouth",
    "italynorth",
    "polandcentral",
    "spaincentral",
    "norwayeast",
    "norwaywest",
}

# Availability-test location ids that run inside the EU (Azure Monitor "population tags").
# emea-se-sto-edge (UK West) and emea-ru-msa-edge (UK South) are outside the EEA.
EU_TEST_LOCATIONS = {
    "emea-nl-ams-azr": "West Europe",
    "emea-gb-db3-azr": "North Europe",
    "emea-fr-pra-edge": "France Central",
    "emea-ch-zrh-edge": "France South",
}

TAGGED_TYPES = {
    "Microsoft.Web/serverfarms",
    "Microsoft.Web/sites",
    "Microsoft.Storage/storageAccounts",
    "Microsoft.KeyVault/vaults",
    "Microsoft.OperationalInsights/workspaces",
    "Microsoft.Insights/components",
    "Microsoft.Insights/webtests",
    "Microsoft.Insights/actionGroups",
    "Microsoft.Insights/scheduledQueryRules",
    "Microsoft.Insights/metricAlerts",
}

GEO_REDUNDANT_SKUS = {"Standard_GRS", "Standard_GZRS", "Standard_RAGRS", "Standard_RAGZRS"}

# Proxy resources: Azure does not accept tags on them.
UNTAGGABLE_TYPES = {
    "microsoft.authorization/roleassignments",
    "microsoft.authorization/locks",
    "microsoft.insights/diagnosticsettings",
    "microsoft.web/sites/config",
    "microsoft.web/sites/basicpublishingcredentialspolicies",
    "microsoft.storage/storageaccounts/blobservices",
    "microsoft.storage/storageaccounts/blobservices/containers",
    "microsoft.storage/storageaccounts/queueservices",
    "microsoft.storage/storageaccounts/queueservices/queues",
    "microsoft.storage/storageaccounts/tableservices",
}


def equals(expected: Any) -> Callable[[Any], bool]:
    check = lambda value: value == expected  # noqa: E731
    check.__doc__ = f"== {expected!r}"
    return check


def one_of(allowed: set[str]) -> Callable[[Any], bool]:
    check = lambda value: value in allowed  # noqa: E731
    check.__doc__ = f"in {sorted(allowed)}"
    return check


def tls_at_least_1_2(value: Any) -> bool:
    """>= 1.2"""
    try:
        return tuple(int(part) for part in str(value).split(".")) >= (1, 2)
    except ValueError:
        return False


def is_set(value: Any) -> bool:
    """is set"""
    return value is not MISSING and value not in (None, "")


PROPERTIES = [
    # (resource type, property path, check, sentence)
    (
        "Microsoft.Web/sites",
        "identity.type",
        equals("SystemAssigned"),
        "the function app has a system-assigned identity",
    ),
    ("Microsoft.Web/sites", "kind", equals("functionapp,linux"), "the function app is a Linux function app"),
    ("Microsoft.Web/sites", "properties.httpsOnly", equals(True), "the function app accepts HTTPS only"),
    (
        "Microsoft.Web/sites",
        "properties.siteConfig.minTlsVersion",
        tls_at_least_1_2,
        "the function app needs TLS 1.2 or higher",
    ),
    (
        "Microsoft.Web/sites",
        "properties.siteConfig.scmMinTlsVersion",
        tls_at_least_1_2,
        "the deployment endpoint needs TLS 1.2 or higher",
    ),
    (
        "Microsoft.Web/sites",
        "properties.siteConfig.ftpsState",
        equals("Disabled"),
        "the function app has FTP and FTPS off",
    ),
    (
        "Microsoft.Web/sites",
        "properties.keyVaultReferenceIdentity",
        equals("SystemAssigned"),
        "Key Vault references resolve with the app identity",
    ),
    (
        "Microsoft.Web/sites",
        "properties.functionAppConfig.runtime.name",
        equals("python"),
        "the function app runs Python",
    ),
    (
        "Microsoft.Web/sites",
        "properties.functionAppConfig.runtime.version",
        equals("3.11"),
        "the function app runs Python 3.11",
    ),
    (
        "Microsoft.Web/sites",
        "properties.functionAppConfig.deployment.storage.authentication.type",
        equals("SystemAssignedIdentity"),
        "the deployment package is read with the app identity",
    ),
    (
        "Microsoft.Web/sites",
        "properties.functionAppConfig.deployment.storage.type",
        equals("blobContainer"),
        "the deployment package lives in a blob container",
    ),
    ("Microsoft.Web/serverfarms", "sku.name", equals("FC1"), "the plan is Flex Consumption FC1"),
    ("Microsoft.Web/serverfarms", "sku.tier", equals("FlexConsumption"), "the plan tier is FlexConsumption"),
    ("Microsoft.Web/serverfarms", "properties.reserved", equals(True), "the plan is a Linux plan"),
    (
        "Microsoft.Web/sites/basicPublishingCredentialsPolicies",
        "properties.allow",
        equals(False),
        "basic-auth publishing credentials are off",
    ),
    (
        "Microsoft.Storage/storageAccounts",
        "properties.allowSharedKeyAccess",
        equals(False),
        "the storage account refuses shared keys",
    ),
    (
        "Microsoft.Storage/storageAccounts",
        "properties.allowBlobPublicAccess",
        equals(False),
        "the storage account has no public blobs",
    ),
    (
        "Microsoft.Storage/storageAccounts",
        "properties.minimumTlsVersion",
        equals("TLS1_2"),
        "the storage account needs TLS 1.2",
    ),
    (
        "Microsoft.Storage/storageAccounts",
        "properties.supportsHttpsTrafficOnly",
        equals(True),
        "the storage account accepts HTTPS only",
    ),
    (
        "Microsoft.Storage/storageAccounts",
        "properties.defaultToOAuthAuthentication",
        equals(True),
        "the storage account defaults to Entra authentication",
    ),
    (
        "Microsoft.Storage/storageAccounts",
        "properties.allowCrossTenantReplication",
        equals(False),
        "the storage account cannot replicate to other tenants",
    ),
    (
        "Microsoft.Storage/storageAccounts",
        "properties.encryption.requireInfrastructureEncryption",
        equals(True),
        "the storage account encrypts twice at rest",
    ),
    (
        "Microsoft.Storage/storageAccounts",
        "sku.name",
        one_of(GEO_REDUNDANT_SKUS),
        "the storage account is geo-redundant",
    ),
    (
        "Microsoft.Storage/storageAccounts/blobServices",
        "properties.deleteRetentionPolicy.enabled",
        equals(True),
        "deleted blobs are kept (soft delete)",
    ),
    (
        "Microsoft.Storage/storageAccounts/blobServices",
        "properties.containerDeleteRetentionPolicy.enabled",
        equals(True),
        "deleted containers are kept (soft delete)",
    ),
    (
        "Microsoft.Storage/storageAccounts/blobServices",
        "properties.isVersioningEnabled",
        equals(True),
        "overwritten blobs keep their versions",
    ),
    (
        "Microsoft.Storage/storageAccounts/blobServices",
        "properties.changeFeed.enabled",
        equals(True),
        "blob changes are logged in the change feed",
    ),
    (
        "Microsoft.Storage/storageAccounts/blobServices",
        "properties.restorePolicy.enabled",
        equals(True),
        "blobs can be restored to a point in time",
    ),
    (
        "Microsoft.Storage/storageAccounts/blobServices/containers",
        "properties.publicAccess",
        equals("None"),
        "blob containers are private",
    ),
    (
        "Microsoft.Insights/components",
        "properties.DisableLocalAuth",
        equals(True),
        "Application Insights accepts Entra-authenticated telemetry only",
    ),
    (
        "Microsoft.Insights/components",
        "properties.WorkspaceResourceId",
        is_set,
        "Application Insights is workspace-based",
    ),
    (
        "Microsoft.Insights/components",
        "properties.IngestionMode",
        equals("LogAnalytics"),
        "Application Insights stores into Log Analytics",
    ),
    (
        "Microsoft.OperationalInsights/workspaces",
        "properties.features.disableLocalAuth",
        equals(True),
        "the Log Analytics workspace has no shared keys",
    ),
    ("Microsoft.KeyVault/vaults", "properties.enableRbacAuthorization", equals(True), "the key vault uses Azure RBAC"),
    (
        "Microsoft.KeyVault/vaults",
        "properties.enablePurgeProtection",
        equals(True),
        "the key vault has purge protection",
    ),
    ("Microsoft.KeyVault/vaults", "properties.enableSoftDelete", equals(True), "the key vault has soft delete"),
    (
        "Microsoft.KeyVault/vaults",
        "properties.softDeleteRetentionInDays",
        equals(90),
        "deleted secrets stay recoverable for 90 days",
    ),
    ("Microsoft.Insights/webtests", "kind", equals("standard"), "availability tests are standard tests"),
    (
        "Microsoft.Insights/webtests",
        "properties.Kind",
        equals("standard"),
        "availability tests declare kind standard in their properties",
    ),
    ("Microsoft.Insights/webtests", "properties.Enabled", equals(True), "availability tests are enabled"),
    (
        "Microsoft.Insights/webtests",
        "properties.ValidationRules.SSLCheck",
        equals(True),
        "availability tests check the TLS certificate",
    ),
    ("Microsoft.Insights/webtests", "properties.Request.RequestUrl", is_set, "availability tests request a URL"),
]


@pytest.mark.parametrize(
    "resource_type, path, check",
    [pytest.param(t, p, c, id=sentence) for t, p, c, sentence in PROPERTIES],
)
def test_resource_property(resource_type: str, path: str, check: Callable[[Any], bool]) -> None:
    found = all_resources(resource_type)
    assert found, f"no {resource_type} resource in infra/"
    for resource in found:
        value = resource.get(path)
        assert check(value), f"{resource}: {path} is {value!r}, expected {check.__doc__}"


def test_both_basic_publishing_credential_kinds_are_disabled() -> None:
    names = {r.get("name") for r in all_resources("Microsoft.Web/sites/basicPublishingCredentialsPolicies")}
    assert names == {"ftp", "scm"}


# --- SLA §4: everything stays in the EER ----------------------------------------------


def test_the_location_parameter_allows_only_eea_regions() -> None:
    location = parse_file(MAIN_BICEP)["parameters"]["location"]
    allowed = decorator(location, "allowed", None)
    assert allowed, "main.bicep: location needs an @allowed list"
    assert set(allowed) <= EEA_REGIONS, f"not in the EEA: {sorted(set(allowed) - EEA_REGIONS)}"
    assert {"westeurope", "northeurope"} <= set(allowed), "the contract regions must be allowed"
    assert location["default"] in allowed


@pytest.mark.parametrize(
    "path",
    [pytest.param(p, id=f"{relative(p)} takes its location from main.bicep") for p in bicep_files() if p != MAIN_BICEP],
)
def test_module_location_has_no_default_of_its_own(path) -> None:
    location = (parse_file(path).get("parameters") or {}).get("location")
    if location is None:
        return
    allowed = decorator(location, "allowed", None)
    if allowed is not None:
        assert set(allowed) <= EEA_REGIONS
    else:
        assert location.get("default") is None, f"{relative(path)}: location must not default to anything"


# Resource types Azure deploys only as global resources: alert plumbing holding no SLA data
# (notification targets, rule definitions); the data they read stays in its region.
GLOBAL_TYPES = {"microsoft.insights/actiongroups", "microsoft.insights/metricalerts"}


def test_every_resource_location_is_the_location_parameter() -> None:
    located = [r for r in all_resources() if "location" in r.body]
    assert located
    for resource in located:
        expected = "global" if resource.type.lower() in GLOBAL_TYPES else "location"
        assert resource.body["location"] == expected, f"{resource}: location is {resource.body['location']!r}"


def test_main_passes_its_location_to_every_module_that_has_one() -> None:
    tree = parse_file(MAIN_BICEP)
    for symbol, module in tree["modules"].items():
        module_file = (MAIN_BICEP.parent / module["detail"]["path"]).resolve()
        if "location" in (parse_file(module_file).get("parameters") or {}):
            assert module["config"]["params"].get("location") == "location", f"module {symbol}"


def test_availability_tests_run_from_eu_locations_only() -> None:
    tests = all_resources("Microsoft.Insights/webtests")
    assert tests
    for test in tests:
        ids = {unwrap_loop(item)["Id"] for item in test.get("properties.Locations")}
        assert ids <= set(EU_TEST_LOCATIONS), f"{test}: outside the EU: {sorted(ids - set(EU_TEST_LOCATIONS))}"
        assert {"emea-nl-ams-azr", "emea-gb-db3-azr"} <= ids, "West Europe and North Europe must both probe"


def test_there_is_one_availability_test_per_monitored_url() -> None:
    (test,) = all_resources("Microsoft.Insights/webtests")
    assert test.looped, "the web test must loop over the monitored URLs"
    assert "hidden-link:${appInsights.id}" in set(strings(test.body["tags"])), "web test not linked to its component"


# --- SLA §10: role-based access, least privilege ------------------------------------------

# Azure built-in role definition ids (the same in every tenant).
FUNCTION_APP_ROLES = [
    (
        "Storage Blob Data Owner",
        "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
        "Microsoft.Storage/storageAccounts",
        "host storage and deployment package",
    ),
    (
        "Storage Queue Data Contributor",
        "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
        "Microsoft.Storage/storageAccounts",
        "the monthly queue",
    ),
    (
        "Storage Table Data Contributor",
        "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
        "Microsoft.Storage/storageAccounts",
        "the app's tables",
    ),
    (
        "Log Analytics Reader",
        "73c42c96-874c-492b-b04d-ab87d138a893",
        "Microsoft.OperationalInsights/workspaces",
        "availability results",
    ),
    ("Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6", "Microsoft.KeyVault/vaults", "webhook secrets"),
    (
        "Monitoring Metrics Publisher",
        "3913510d-42f4-4e42-8a64-420c390055eb",
        "Microsoft.Insights/components",
        "telemetry",
    ),
]


def _scope_type(extension: Resource) -> str:
    """Type of the resource an extension resource (role assignment, diagnostic setting) is scoped to."""
    scope = extension.get("scope")
    if not isinstance(scope, str):  # no scope (resource group) or an expression such as resourceGroup()
        return "(resource group)"
    symbols = {r.symbol: r.type for r in resources_in(parse_file(extension.file), extension.file)}
    return symbols.get(scope, "(resource group)")


def _role_assignments() -> list[tuple[Resource, str, str]]:
    """(assignment, role definition guid, scope resource type) for every role assignment."""
    found = []
    for assignment in all_resources("Microsoft.Authorization/roleAssignments"):
        tree = parse_file(assignment.file)
        role_id = assignment.get("properties.roleDefinitionId")
        guid = role_id["function"]["parameters"]["resource_name_1"]
        if isinstance(guid, dict):  # roles.someRole: look the name up in the variable object
            operands = guid["operator"]["operands"]
            guid = tree["variables"][operands["operand_1"]]["value"][operands["operand_2"]]
        found.append((assignment, guid, _scope_type(assignment)))
    return found


@pytest.mark.parametrize(
    "role_guid, scope_type",
    [
        pytest.param(guid, scope, id=f"the function identity is {name} on {scope.split('/')[-1]} ({why})")
        for name, guid, scope, why in FUNCTION_APP_ROLES
    ],
)
def test_function_identity_role(role_guid: str, scope_type: str) -> None:
    matches = [
        a
        for a, guid, scope in _role_assignments()
        if guid == role_guid and scope == scope_type and a.get("properties.principalId") == "principalId"
    ]
    assert len(matches) == 1, f"expected one assignment of {role_guid} on {scope_type}"
    assert matches[0].get("properties.principalType") == "ServicePrincipal"
    assert not matches[0].conditional


def test_function_identity_has_no_other_role() -> None:
    expected = {(guid, scope) for _, guid, scope, _ in FUNCTION_APP_ROLES}
    granted = {
        (guid, scope) for a, guid, scope in _role_assignments() if a.get("properties.principalId") == "principalId"
    }
    assert granted == expected


def test_every_role_assignment_is_scoped_to_one_resource() -> None:
    for assignment, _, scope in _role_assignments():
        assert scope != "(resource group)", f"{assignment} is not scoped to a resource"


def test_main_hands_the_function_identity_to_the_role_assignments() -> None:
    rbac = parse_file(MAIN_BICEP)["modules"]["rbac"]["config"]["params"]["principalId"]
    assert set(strings(rbac)) >= {"api", "outputs", "principalId"}


# --- SLA §10.1 audit log and §13 monitoring: diagnostic settings ------------------------------

DIAGNOSED = [
    ("Microsoft.Web/sites", "the function app sends its logs to Log Analytics"),
    ("Microsoft.Storage/storageAccounts/tableServices", "table reads and writes are audited in Log Analytics"),
    ("Microsoft.Storage/storageAccounts/queueServices", "queue reads and writes are audited in Log Analytics"),
    ("Microsoft.KeyVault/vaults", "key vault access is audited in Log Analytics"),
]


@pytest.mark.parametrize("scope_type", [pytest.param(t, id=sentence) for t, sentence in DIAGNOSED])
def test_diagnostic_settings(scope_type: str) -> None:
    matches = []
    for setting in all_resources("Microsoft.Insights/diagnosticSettings"):
        if _scope_type(setting) == scope_type:
            matches.append(setting)
    assert matches, f"no diagnostic setting on {scope_type}"
    for setting in matches:
        assert setting.get("properties.workspaceId") == "workspaceId"
        logs = setting.get("properties.logs")
        assert logs and all(log["enabled"] is True for log in logs)


# --- Tags and descriptions ---------------------------------------------------------------


def test_every_taggable_resource_carries_the_tags_parameter() -> None:
    taggable = [r for r in all_resources() if r.type.lower() not in UNTAGGABLE_TYPES]
    assert {r.type for r in taggable} == TAGGED_TYPES, "a new resource type: add it to TAGGED_TYPES or UNTAGGABLE_TYPES"
    for resource in taggable:
        assert "tags" in resource.body, f"{resource} has no tags"
        assert "tags" in set(strings(resource.body["tags"])), f"{resource} does not use the tags parameter"


def test_main_adds_the_standard_tags() -> None:
    all_tags = parse_file(MAIN_BICEP)["variables"]["allTags"]["value"]
    assert "azd-env-name" in set(strings(all_tags))
    assert "tags" in set(strings(all_tags))


@pytest.mark.parametrize(
    "path", [pytest.param(p, id=f"every parameter of {relative(p)} has a description") for p in bicep_files()]
)
def test_every_parameter_has_a_description(path) -> None:
    for name, param in (parse_file(path).get("parameters") or {}).items():
        description = decorator(param, "description", "")
        assert isinstance(description, str) and description.strip(), f"{relative(path)}: param {name}"


# --- Outputs named like environment variables ---------------------------------------------

REQUIRED_OUTPUTS = [
    "AZURE_FUNCTION_APP_NAME",
    "AZURE_KEY_VAULT_NAME",
    "SLA_TABLES_ENDPOINT",
    "SLA_QUEUES_ENDPOINT",
    "SLA_LOG_ANALYTICS_WORKSPACE_ID",
]


@pytest.mark.parametrize("name", [pytest.param(n, id=f"main.bicep outputs {n}") for n in REQUIRED_OUTPUTS])
def test_required_output(name: str) -> None:
    assert name in parse_file(MAIN_BICEP)["outputs"]


def test_every_main_output_is_named_like_an_environment_variable() -> None:
    for name in parse_file(MAIN_BICEP)["outputs"]:
        assert name.isupper() and name.replace("_", "").isalnum(), name


def test_workspace_id_output_is_the_customer_id() -> None:
    customer_id = parse_file(MAIN_BICEP)["outputs"]["SLA_LOG_ANALYTICS_WORKSPACE_ID"]["value"]
    assert "customerId" in set(strings(customer_id))
    workspace_module = next(p for p in bicep_files() if p.name == "loganalytics.bicep")
    assert "customerId" in set(strings(get_path(parse_file(workspace_module), "outputs.customerId.value")))
