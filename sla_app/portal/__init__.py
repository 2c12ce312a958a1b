"""The service-level portal (server-rendered pages for municipalities and the supplier)."""
