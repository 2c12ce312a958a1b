"""Test doubles shared by several suites (the app tests and the month-end drill).

Only stand-ins for *other* systems live here (Azure Monitor's HTTP API,
Microsoft Graph); our own storage is always Azurite.
"""
