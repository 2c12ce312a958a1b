"""The sample parameters file and docs/deploy.md agree with main.bicep."""

from __future__ import annotations

import json

from .bicep import MAIN_BICEP, PARAMETERS_FILE, REPO_ROOT, decorator, parse_file, strings

DEPLOY_DOC = REPO_ROOT / "docs" / "deploy.md"


def _main_parameters() -> dict:
    return parse_file(MAIN_BICEP)["parameters"]


def _sample_values() -> dict:
    document = json.loads(PARAMETERS_FILE.read_text())
    return {name: entry["value"] for name, entry in document["parameters"].items()}


def test_the_sample_names_only_parameters_main_declares() -> None:
    assert set(_sample_values()) <= set(_main_parameters())


def test_the_sample_gives_every_required_parameter() -> None:
    required = {
        name for name, p in _main_parameters().items() if p.get("default") is None and not decorator(p, "secure", False)
    }
    assert required <= set(_sample_values()), f"missing: {sorted(required - set(_sample_values()))}"


def test_the_sample_location_is_allowed() -> None:
    allowed = decorator(_main_parameters()["location"], "allowed")
    assert _sample_values()["location"] in allowed


def test_the_sample_monitors_https_urls_with_short_names() -> None:
    targets = _sample_values()["monitoredUrls"]
    assert targets
    for target in targets:
        assert target["url"].startswith("https://"), target
        assert target["name"].replace("-", "").isalnum(), target


def test_the_deploy_doc_names_the_commands_and_files() -> None:
    text = DEPLOY_DOC.read_text()
    for needle in [
        "az deployment group create",
        "infra/main.bicep",
        "infra/main.parameters.json",
        "az keyvault secret set",
        "Application Mail.Send",
        "az group delete",
    ]:
        assert needle in text, needle


def test_the_deploy_doc_lists_every_webhook_secret_name() -> None:
    names = set(strings(parse_file(MAIN_BICEP)["variables"]["webhookSecretNames"]["value"])) - {
        "events",
        "jira",
        "topdesk",
    }
    assert len(names) == 3
    text = DEPLOY_DOC.read_text()
    for name in names:
        assert name in text, name
