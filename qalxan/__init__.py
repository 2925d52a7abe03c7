"""Qalxan: the platform of a national cyber-security service."""

__version__ = "0.1.0"
__all__ = ["__version__"]
