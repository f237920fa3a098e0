"""Excel exchange: reading other people's workbooks, planning and applying imports, exports and
templates. It sits above ``services`` (imports are validated by the same cleaning as a form) and
reads the ledger descriptions in ``ledgers``."""
