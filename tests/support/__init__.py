"""Helpers shared by several suites (the core, app, portal and drill tests).

``core``: builders of canonical events, instants and reports for the ``sla_core`` tests;
``app``: the application wired to Azurite, HTTP calls, settings and a fixed clock;
``ticket_tools``: TOPdesk and Jira payloads through their readers, stored ticket events;
``fake_graph`` and ``azure_transport``: stand-ins for *other* systems (Microsoft Graph,
Azure Monitor's HTTP API). Our own storage is always Azurite.
"""
