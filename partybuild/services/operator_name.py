"""The name the operations log (services.audit) gives for whoever works in this session.

Its own module, with nothing in it but the name: the app's start sets it from the settings
without importing the log's services, which the first window does not need.
"""

from __future__ import annotations

_name: str | None = None


def set_name(name: str | None) -> None:
    """The name written into the log from now on (None: the OS user)."""
    global _name
    _name = name.strip() if name and name.strip() else None


def name() -> str | None:
    """The name set in the app, or None."""
    return _name
