"""App Service Authentication (Easy Auth v2) guards the admin and reader API (SLA §10).

``sla_app/http/auth.py`` trusts ``X-MS-CLIENT-PRINCIPAL`` for the app roles ``SLA.Admin`` /
``SLA.Reader`` and the ``sla_tenant`` claim. App Service sets that header (and keeps clients from
supplying it) only while its authentication module is on, so infra/ must turn it on, require a
token on every path, and exempt exactly the routes that authenticate themselves (the ticket
webhooks: HMAC signature or bearer token) or are public (anonymous functions). The exemptions are
derived here from the functions ``function_app`` registers, not from a list kept by hand.

``globalValidation.excludedPaths`` entries are exact paths; only an entry ending in ``/*`` matches
a prefix (App Service file-based configuration reference: ``"/path1"``, ``"/path3/subpath/*"``).
The query string (``?tenant=…&code=…``) is not part of the path.
"""

from __future__ import annotations

import inspect
import json
import re
import uuid
from dataclasses import dataclass

import azure.functions as func
import pytest

from tests.support.app import functions

from .bicep import (
    MAIN_BICEP,
    PARAMETERS_FILE,
    REPO_ROOT,
    Resource,
    all_resources,
    decorator,
    parse_file,
    relative,
    strings,
)

DEPLOY_DOC = REPO_ROOT / "docs" / "deploy.md"
WEBHOOK_MODULE = "sla_app.functions.tickets"
# The portal's pages are anonymous for the Functions host (a browser has no function key) but sit
# behind App Service Authentication like the admin API: they are never exempt.
PORTAL_MODULE = "sla_app.functions.portal"
READS_PRINCIPAL = re.compile(r"\b(?:principal|_reader|_caller)\(")
PORTAL_WITHOUT_PRINCIPAL = {
    "portal_css": "the style sheet of the pages",
    "portal_local_login": "answers 404 unless the local sign-in is allowed, which it never is on Azure",
}
AUTHENTICATES_ITSELF = re.compile(r"\b(?:hmac_timestamped|hmac_hub|bearer)\(")


# --- the registered HTTP routes ------------------------------------------------------------


def _route_prefix() -> str:
    host = json.loads((REPO_ROOT / "host.json").read_text())
    prefix = host.get("extensions", {}).get("http", {}).get("routePrefix", "api")
    return "/" + prefix.strip("/") if prefix.strip("/") else ""


@dataclass(frozen=True)
class Route:
    function: str
    path: str  # as App Service sees it, e.g. /api/tenants/{tenant}
    module: str
    anonymous: bool
    source: str

    @property
    def reads_principal(self) -> bool:
        """Reads the signed-in user (or is one of the portal's few routes that need not, still behind sign-in)."""
        return bool(READS_PRINCIPAL.search(self.source)) or (
            self.module == PORTAL_MODULE and self.function in PORTAL_WITHOUT_PRINCIPAL
        )

    @property
    def authenticates_itself(self) -> bool:
        return self.module == WEBHOOK_MODULE and bool(AUTHENTICATES_ITSELF.search(self.source))

    @property
    def needs_no_token(self) -> bool:
        """A webhook that checks its own signature or token, or a public (anonymous) function."""
        return self.module == WEBHOOK_MODULE or (self.anonymous and self.module != PORTAL_MODULE)


def _routes() -> list[Route]:
    routes = []
    for name, function in functions().items():
        for binding in function.get_bindings():
            if binding.type != "httpTrigger":
                continue
            handler = inspect.unwrap(function.get_user_function())
            routes.append(
                Route(
                    function=name,
                    path=f"{_route_prefix()}/{binding.route.strip('/')}",
                    module=handler.__module__,
                    anonymous=binding.auth_level == func.AuthLevel.ANONYMOUS,
                    source=inspect.getsource(handler),
                )
            )
    return routes


ROUTES = _routes()
UNAUTHENTICATED = sorted({r.path for r in ROUTES if r.needs_no_token})
PRINCIPAL_ROUTES = sorted({r.path for r in ROUTES if not r.needs_no_token})


def matches(excluded: str, route_template: str) -> bool:
    """Whether an excludedPaths entry lets some request to the route through without a token.

    Exact entries match a concrete path of the route (``{param}`` stands for one segment); an entry
    ending in ``/*`` matches every path below its prefix. Case-insensitive, to err on the safe side.
    """
    segment = "[^/]+"
    pattern = "".join(
        segment if part.startswith("{") else re.escape(part) for part in re.split(r"(\{[^}]+\})", route_template)
    )
    if excluded.endswith("/*"):
        prefix = excluded[:-1].lower()
        probe = re.sub(r"\{[^}]+\}", "x", route_template).lower()
        return (probe + "/").startswith(prefix)
    return re.fullmatch(pattern, excluded, flags=re.IGNORECASE) is not None


# --- the authsettingsV2 resource ---------------------------------------------------------


def _auth_config() -> Resource:
    configs = [r for r in all_resources("Microsoft.Web/sites/config") if r.get("name") == "authsettingsV2"]
    assert len(configs) == 1, f"expected one authsettingsV2 resource, found {[str(c) for c in configs]}"
    return configs[0]


def _site() -> Resource:
    (site,) = all_resources("Microsoft.Web/sites")
    return site


def _excluded_paths() -> list[str]:
    paths = _auth_config().get("properties.globalValidation.excludedPaths")
    assert isinstance(paths, list) and all(isinstance(p, str) for p in paths), (
        f"excludedPaths must be a literal list, got {paths!r}"
    )
    return paths


def test_the_function_app_has_authsettings_v2() -> None:
    config, site = _auth_config(), _site()
    assert config.file == site.file, f"{config} must be declared next to {site}"
    assert config.get("parent") == site.symbol or config.symbol.startswith(f"{site.symbol}__"), (
        f"{config} is not a child of {site}"
    )
    assert not config.conditional and not config.looped, "authentication must always be deployed"


def test_the_authentication_module_is_enabled() -> None:
    assert _auth_config().get("properties.platform.enabled") is True


def test_every_request_needs_authentication() -> None:
    config = _auth_config()
    assert config.get("properties.globalValidation.requireAuthentication") is True
    assert config.get("properties.globalValidation.unauthenticatedClientAction") == "Return401"


def test_only_https_is_accepted() -> None:
    assert _auth_config().get("properties.httpSettings.requireHttps") is True


def test_the_identity_provider_is_entra_id_of_the_app_registration() -> None:
    aad = _auth_config().get("properties.identityProviders.azureActiveDirectory")
    assert isinstance(aad, dict) and aad.get("enabled") is True
    assert aad["registration"]["clientId"] == "authClientId"
    # environment().authentication.loginEndpoint is https://login.microsoftonline.com/ in the public cloud.
    assert aad["registration"]["openIdIssuer"] == "${environment().authentication.loginEndpoint}${authTenantId}/v2.0"
    audiences = set(strings(aad["validation"]["allowedAudiences"]))
    assert {"authClientId", "authAllowedAudiences"} <= audiences, audiences


def test_entra_id_is_the_only_identity_provider() -> None:
    providers = _auth_config().get("properties.identityProviders")
    assert set(providers) == {"azureActiveDirectory"}, sorted(providers)


def test_tokens_are_validated_not_obtained() -> None:
    """No client secret (nothing to leak or rotate) and no token store: the API only reads bearer tokens."""
    config = _auth_config()
    assert config.get("properties.login.tokenStore.enabled") is False
    registration = config.get("properties.identityProviders.azureActiveDirectory.registration")
    assert not {"clientSecretSettingName", "clientSecretCertificateThumbprint"} & set(registration)


def test_excluded_paths_are_exact_paths() -> None:
    for path in _excluded_paths():
        assert path.startswith(f"{_route_prefix()}/"), path
        assert "*" not in path and "?" not in path, f"{path}: exempt exact routes only"


# --- excludedPaths against the registered routes --------------------------------------------


def test_the_app_registers_webhooks_public_and_principal_routes() -> None:
    assert {r.function for r in ROUTES if r.module == WEBHOOK_MODULE} >= {
        "post_ticket_events",
        "post_topdesk_incident",
        "post_jira_issue",
    }
    assert {r.function for r in ROUTES if r.anonymous} >= {"get_openapi", "get_security_txt"}
    assert len(PRINCIPAL_ROUTES) >= 8


@pytest.mark.parametrize("route", [pytest.param(r, id=f"{r.function} ({r.path})") for r in ROUTES])
def test_each_route_either_reads_the_principal_or_needs_no_token(route: Route) -> None:
    if route.needs_no_token:
        assert not route.reads_principal, (
            f"{route.function} reads X-MS-CLIENT-PRINCIPAL but is exempt from authentication"
        )
        if route.module == WEBHOOK_MODULE:
            assert route.authenticates_itself, f"{route.function} is a webhook without its own signature or token check"
    else:
        assert route.reads_principal, f"{route.function} neither reads the principal nor is a webhook or public"


@pytest.mark.parametrize("path", [pytest.param(p, id=f"{p} is excluded") for p in UNAUTHENTICATED])
def test_webhook_and_public_route_is_excluded(path: str) -> None:
    assert path in _excluded_paths(), (
        f"{path} carries no Entra ID token; add it to excludedPaths in infra/app/api.bicep"
    )


@pytest.mark.parametrize("path", [pytest.param(p, id=f"{p} requires a token") for p in PRINCIPAL_ROUTES])
def test_admin_and_reader_route_is_not_excluded(path: str) -> None:
    hits = [excluded for excluded in _excluded_paths() if matches(excluded, path)]
    assert not hits, f"{path} reads X-MS-CLIENT-PRINCIPAL but {hits} exempt it from authentication"


def test_nothing_else_is_excluded() -> None:
    extra = set(_excluded_paths()) - set(UNAUTHENTICATED)
    assert not extra, f"excludedPaths names routes the app does not register as webhook or public: {sorted(extra)}"


MATCHER_CASES = [
    ("/api/tenants/{tenant}", "/api/tenants/enschede", True),
    ("/api/tenants/{tenant}", "/api/tenants/*", True),
    ("/api/tenants/{tenant}/reports/{month}", "/api/tenants/*", True),
    ("/api/tenants", "/API/Tenants", True),
    ("/api/tenants", "/api/*", True),
    ("/api/tenants/{tenant}", "/api/tenants", False),
    ("/api/tenants", "/api/tickets/*", False),
    ("/api/admin/audit/{day}", "/api/tickets/events", False),
]


@pytest.mark.parametrize("template, excluded, expected", MATCHER_CASES)
def test_the_matcher_would_notice_an_exempted_principal_route(template: str, excluded: str, expected: bool) -> None:
    assert matches(excluded, template) is expected


# --- parameters ---------------------------------------------------------------------------


def test_main_requires_the_app_registration_and_hands_it_on() -> None:
    main = parse_file(MAIN_BICEP)
    client_id = main["parameters"]["authClientId"]
    assert client_id.get("default") is None, "a deployment must name its app registration"
    assert decorator(client_id, "min_length") == 36 and decorator(client_id, "max_length") == 36
    assert "tenant" in json.dumps(main["parameters"]["authTenantId"].get("default")), (
        "the tenant defaults to the deployment's tenant"
    )
    params = main["modules"]["api"]["config"]["params"]
    for name in ("authClientId", "authTenantId", "authAllowedAudiences"):
        assert params.get(name) == name, f"module api does not get {name}"


def test_the_sample_client_id_is_a_guid() -> None:
    sample = json.loads(PARAMETERS_FILE.read_text())["parameters"]["authClientId"]["value"]
    assert str(uuid.UUID(sample)) == sample.lower()


def test_the_deploy_doc_explains_the_app_registration() -> None:
    text = DEPLOY_DOC.read_text()
    for needle in [
        "SLA.Admin",
        "SLA.Reader",
        "sla_tenant",
        "authClientId",
        "acceptMappedClaims",
        "requestedAccessTokenVersion",
    ]:
        assert needle in text, f"{relative(DEPLOY_DOC)} does not mention {needle}"
    for path in UNAUTHENTICATED:
        assert path in text, f"{relative(DEPLOY_DOC)} does not list the exempt path {path}"
