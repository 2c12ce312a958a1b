"""The application context (sla_app.bootstrap): every member is built once per context, from its own settings."""

from __future__ import annotations

from functools import cached_property

import pytest

from sla_app.bootstrap import AppContext

# The context's own members and those of its base (sla_app.infrastructure: clients, repositories, queues).
CLASS_MEMBERS = {name: member for klass in reversed(AppContext.__mro__) for name, member in vars(klass).items()}
MEMBERS = sorted(name for name, member in CLASS_MEMBERS.items() if isinstance(member, cached_property))
SERVICES_READING_SETTINGS = {"delivery", "availability_ingest", "retention", "health", "results_source"}


def test_every_client_repository_and_service_is_a_member_built_on_first_use() -> None:
    assert set(MEMBERS) >= SERVICES_READING_SETTINGS
    properties = sorted(name for name, member in CLASS_MEMBERS.items() if isinstance(member, property))
    assert properties == ["settings", "zone"], "nothing else is built anew on each use"


@pytest.mark.parametrize("name", MEMBERS)
def test_each_member_is_built_once_per_context(ctx: AppContext, name: str) -> None:
    first = getattr(ctx, name)
    assert getattr(ctx, name) is first
    other = ctx.with_settings()
    assert getattr(other, name) is not first, "another context builds its own"


def test_the_settings_of_a_context_are_not_changed_after_it_was_made(ctx: AppContext) -> None:
    with pytest.raises(AttributeError):
        ctx.settings = ctx.settings.model_copy(update={"availability_retention_days": 30})  # type: ignore[misc]


def test_other_settings_make_another_context_over_the_same_storage_and_clock(ctx: AppContext) -> None:
    before = ctx.retention
    shorter = ctx.with_settings(availability_retention_days=30)
    assert shorter.settings.availability_retention_days == 30
    assert ctx.settings.availability_retention_days != 30 and ctx.retention is before
    assert (shorter.clock, shorter.table_prefix) == (ctx.clock, ctx.table_prefix)
    assert shorter.settings.storage_connection_string == ctx.settings.storage_connection_string
