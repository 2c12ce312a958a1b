"""Offline checks of the Bicep templates in infra/ (no Azure, no Bicep CLI)."""
