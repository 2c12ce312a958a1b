"""Placeholder blueprint (filled in by its own change)."""

import azure.functions as func

bp = func.Blueprint()
