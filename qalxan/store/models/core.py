"""Core tables: brands, API keys, audit log (issue 2)."""
