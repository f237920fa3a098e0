"""Every file the app writes (except backups, which copy a database): atomic, private, checked.

``outputs`` sits beside ``store`` below every other package because services (report and
reminder workbooks, the audit export), ``exchange`` (exports, templates, error workbooks),
``printing`` (PDFs) and ``ui`` (screenshots) all write files and must do it the same way. It
imports no Qt: PDFs are checked by a ``verify`` callable that ``printing`` passes in.

- :mod:`.atomic` — :func:`atomic_output`: a temporary file in the target's folder, checked,
  fsynced and renamed; one Chinese line (:class:`OutputError`) for a full disk, a read-only or
  missing folder.
- :mod:`.workbook` — the one writer of workbook cells (text never runs as a formula, characters
  Excel cannot hold are shown escaped) and :func:`~.workbook.workbook_output`, which also keeps
  openpyxl's own temporary files out of the shared temporary folder.
"""

from __future__ import annotations

from partybuild.outputs.atomic import OutputError, atomic_output, write_bytes

__all__ = ["OutputError", "atomic_output", "write_bytes"]
