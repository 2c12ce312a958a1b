"""No keys or secrets in the templates or their outputs, and proof that the check would notice."""

from __future__ import annotations

import pytest

from .bicep import bicep_files, parse_file, parse_text, relative, secret_findings


@pytest.mark.parametrize("path", [pytest.param(p, id=f"{relative(p)} leaks no key or secret") for p in bicep_files()])
def test_template_leaks_no_secret(path) -> None:
    assert secret_findings(parse_file(path)) == []


STORAGE = "resource stg 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {\n  name: 'x'\n}\n"

LEAKY_TEMPLATES = [
    (STORAGE + "output a string = stg.listKeys().keys[0].value\n", "an output of listKeys() is caught"),
    (
        STORAGE + "output a string = listKeys(stg.id, '2023-05-01').keys[0].value\n",
        "a listKeys(id, version) call is caught",
    ),
    (
        STORAGE
        + "var cs = 'DefaultEndpointsProtocol=https;AccountName=${stg.name};AccountKey=${stg.listKeys().keys[0].value}'\n",
        "a connection string with AccountKey is caught",
    ),
    (STORAGE + "output a object = stg.listAccountSas('2023-05-01', {})\n", "an account SAS is caught"),
    ("@description('x')\n@secure()\nparam pw string = 'hunter2'\n", "a @secure() parameter with a default is caught"),
    (
        "@description('x')\n@secure()\nparam pw string\noutput PASSWORD_ECHO string = pw\n",
        "an output of a @secure() parameter is caught",
    ),
    ("output STORAGE_ACCOUNT_KEY string = 'abc'\n", "an output named like a key is caught"),
    ("output APP_SECRET string = 'abc'\n", "an output named like a secret is caught"),
    (
        "resource ai 'Microsoft.Insights/components@2020-02-02' existing = {\n  name: 'x'\n}\noutput AI string = ai.properties.ConnectionString\n",
        "an output of a connection string is caught",
    ),
    (
        "resource ai 'Microsoft.Insights/components@2020-02-02' existing = {\n  name: 'x'\n}\noutput AI string = ai.properties.InstrumentationKey\n",
        "an output of an instrumentation key is caught",
    ),
]


@pytest.mark.parametrize("text", [pytest.param(t, id=sentence) for t, sentence in LEAKY_TEMPLATES])
def test_leak_is_detected(text: str) -> None:
    assert secret_findings(parse_text(text)), "the secret check missed this template"


CLEAN_TEMPLATES = [
    (
        "resource kv 'Microsoft.KeyVault/vaults@2023-07-01' existing = {\n  name: 'x'\n}\noutput AZURE_KEY_VAULT_NAME string = kv.name\n",
        "a Key Vault name is not a key",
    ),
    (
        "resource kv 'Microsoft.KeyVault/vaults@2023-07-01' existing = {\n  name: 'x'\n}\noutput AZURE_KEY_VAULT_URI string = kv.properties.vaultUri\n",
        "a Key Vault URI is not a key",
    ),
    ("@description('x')\n@secure()\nparam pw string\n", "a @secure() parameter without a default is fine"),
]


@pytest.mark.parametrize("text", [pytest.param(t, id=sentence) for t, sentence in CLEAN_TEMPLATES])
def test_clean_template_passes(text: str) -> None:
    assert secret_findings(parse_text(text)) == []
