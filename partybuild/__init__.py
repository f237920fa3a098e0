"""partybuild — 党建台账管理: party-building ledgers of an industrial park."""

from __future__ import annotations

import os

__version__ = "0.1.0"
APP_NAME = "党建台账管理"

# openpyxl writes with lxml whenever lxml is installed (python-docx brings it in). Its lxml
# writer reports a full disk as lxml.etree.SerialisationError instead of OSError and writes cells
# differently; partybuild.outputs.workbook relies on the standard-library writer it was tested
# with. openpyxl reads this switch when it is first imported, so it is set before any import.
os.environ["OPENPYXL_LXML"] = "False"
