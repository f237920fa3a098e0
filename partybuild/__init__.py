"""partybuild — 党建台账管理: party-building ledgers of an industrial park."""

from __future__ import annotations

__version__ = "0.1.0"
APP_NAME = "党建台账管理"
