"""The function app gets every setting sla_app/settings.py reads, derived from the model itself."""

from __future__ import annotations

import pytest

from sla_app.settings import Settings

from .bicep import MAIN_BICEP, all_resources, app_settings, parse_file, strings

DEPLOYED = Settings.deployed_setting_names()

# Settings whose value is a secret: the model says so in the field description.
SECRET_SETTINGS = [
    field.alias
    for field in Settings.model_fields.values()
    if field.alias in DEPLOYED and "key vault reference" in (field.description or "").lower()
]


def _function_app_settings() -> dict:
    (site,) = all_resources("Microsoft.Web/sites")
    return app_settings(site)


def test_the_model_names_settings_to_deploy() -> None:
    assert len(DEPLOYED) >= 10
    assert len(SECRET_SETTINGS) >= 3, "the webhook secrets are described as Key Vault references"


@pytest.mark.parametrize("name", [pytest.param(n, id=f"the function app sets {n}") for n in DEPLOYED])
def test_deployed_setting_is_set(name: str) -> None:
    settings = _function_app_settings()
    assert name in settings, f"infra/app/api.bicep does not set {name}"
    assert settings[name] not in (None, ""), f"{name} is empty"


@pytest.mark.parametrize("name", [pytest.param(n, id=f"{n} is a Key Vault reference") for n in SECRET_SETTINGS])
def test_secret_setting_is_a_key_vault_reference(name: str) -> None:
    value = _function_app_settings()[name]
    assert isinstance(value, str) and value.startswith("@Microsoft.KeyVault(SecretUri=${"), value
    assert "vaultUri" in value and value.endswith("/)"), value


def test_no_local_only_setting_is_deployed() -> None:
    local_only = set(Settings.model_fields[f].alias for f in Settings.model_fields) - set(DEPLOYED)
    assert local_only, "the model marks some settings local-only"
    assert not local_only & set(_function_app_settings())


SETTING_SOURCES = [
    ("SLA_MAIL_MODE", {"graph"}, "mail goes out through Microsoft Graph"),
    (
        "SLA_TABLES_ENDPOINT",
        {"storage", "primaryEndpoints", "table"},
        "the table endpoint comes from the storage account",
    ),
    (
        "SLA_QUEUES_ENDPOINT",
        {"storage", "primaryEndpoints", "queue"},
        "the queue endpoint comes from the storage account",
    ),
    ("SLA_LOG_ANALYTICS_WORKSPACE_ID", {"workspace", "customerId"}, "the workspace id is the workspace customer id"),
    ("AzureWebJobsStorage__accountName", {"storage", "name"}, "the host storage is identity-based (account name only)"),
    ("APPLICATIONINSIGHTS_AUTHENTICATION_STRING", {"Authorization=AAD"}, "telemetry is sent with the app identity"),
    ("SLA_MAIL_SENDER", {"mailSender"}, "the sender mailbox is a deployment parameter"),
    ("SLA_SECURITY_CONTACT", {"securityContact"}, "the security.txt contact is a deployment parameter"),
    ("SLA_SUPPLIER_MAILBOX", {"supplierMailbox"}, "the supplier's service desk is a deployment parameter"),
    ("SLA_DELIVERY_QUEUE_NAME", {"deliveryQueueName"}, "the delivery queue name is the declared queue's"),
]


@pytest.mark.parametrize(
    "name, expected_parts",
    [pytest.param(n, parts, id=sentence) for n, parts, sentence in SETTING_SOURCES],
)
def test_setting_source(name: str, expected_parts: set[str]) -> None:
    value = _function_app_settings()[name]
    assert expected_parts <= set(strings(value)), f"{name} = {value!r}"


def test_no_setting_holds_a_connection_string_with_a_key() -> None:
    for name, value in _function_app_settings().items():
        for text in strings(value):
            assert "AccountKey=" not in text and "InstrumentationKey=" not in text, name


def test_host_storage_has_no_connection_string_setting() -> None:
    assert "AzureWebJobsStorage" not in _function_app_settings()


def test_a_deployment_must_name_the_security_contact() -> None:
    """SLA_SECURITY_CONTACT is optional in the model (local runs fall back to a placeholder), but
    main.bicep gives it no default, so every deployment states its own RFC 9116 contact."""
    main = parse_file(MAIN_BICEP)
    parameter = main["parameters"]["securityContact"]
    assert parameter.get("default") is None, "securityContact must not have a default"
    assert main["modules"]["api"]["config"]["params"]["securityContact"] == "securityContact"
    assert "SLA_SECURITY_CONTACT" in DEPLOYED, "the model must not mark the contact local-only"


QUEUES = [
    pytest.param("SLA_MONTHLY_QUEUE_NAME", "monthlyQueueName", "monthly_queue_name", id="the monthly queue"),
    pytest.param("SLA_DELIVERY_QUEUE_NAME", "deliveryQueueName", "delivery_queue_name", id="the delivery queue"),
]


@pytest.mark.parametrize(("setting", "parameter", "field"), QUEUES)
def test_each_queue_the_app_uses_is_declared_with_the_name_its_setting_gets(
    setting: str, parameter: str, field: str
) -> None:
    """The queue exists before the first process starts: declared in the storage account, under the
    parameter that also sets the app setting, whose default is the settings model's default."""
    assert _function_app_settings()[setting] == parameter
    main = parse_file(MAIN_BICEP)
    assert main["parameters"][parameter].get("default") == Settings.model_fields[field].default
    for module in ("api", "storage"):
        assert main["modules"][module]["config"]["params"][parameter] == parameter, module
    queues = {r.get("name") for r in all_resources("Microsoft.Storage/storageAccounts/queueServices/queues")}
    assert parameter in queues


def test_the_delivery_deadline_settings_are_deployed_with_the_models_defaults() -> None:
    main = parse_file(MAIN_BICEP)["parameters"]
    assert main["deliveryDeadlineWorkday"]["default"] == Settings.model_fields["delivery_deadline_workday"].default
    assert main["deliveryDeadlineTime"]["default"] == Settings.model_fields["delivery_deadline_time"].default
    settings = _function_app_settings()
    assert "deliveryDeadlineWorkday" in set(strings(settings["SLA_DELIVERY_DEADLINE_WORKDAY"]))
    assert settings["SLA_DELIVERY_DEADLINE_TIME"] == "deliveryDeadlineTime"
