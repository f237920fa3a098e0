"""``partybuild report --year Y -o FILE.pdf|FILE.xlsx``: the annual summary from the data."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from partybuild.cli import EXIT_INVALID, EXIT_OK, EXIT_UNUSABLE, CliError, open_db
from partybuild.commands import output_target
from partybuild.outputs import OutputError

SUFFIXES = (".pdf", ".xlsx")


def write_summary(year: int, path: Path) -> Path:
    """Build the summary and write it as PDF or Excel by the file's suffix.

    Raises ValueError for an unknown suffix or unreadable rules, OSError when it cannot write.
    """
    from partybuild.services.report import build_summary

    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(f"输出文件应为 .pdf 或 .xlsx：{path.name}")
    summary = build_summary(year)
    if suffix == ".xlsx":
        from partybuild.services.report_xlsx import write_summary_xlsx

        write_summary_xlsx(summary, path)
    else:
        _ensure_gui_application()
        from partybuild.printing.annual_report import write_summary_pdf

        write_summary_pdf(summary, path)
    return path


_app: object = None  # the QGuiApplication of a headless run, kept alive for the process


def _ensure_gui_application() -> None:
    """A PDF needs Qt's font machinery: a QGuiApplication — offscreen, as a headless subcommand
    needs no display (DESIGN.md) — and the bundled Chinese font."""
    global _app
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _app = QGuiApplication(["partybuild"])
    from partybuild.ui.fonts import register_fonts

    register_fonts()


def run_report(args: argparse.Namespace) -> int:
    path = Path(args.output)
    if path.suffix.lower() not in SUFFIXES:
        raise CliError(f"输出文件应为 .pdf 或 .xlsx：{path.name}", EXIT_UNUSABLE)
    output_target(path)
    open_db(args)
    try:
        write_summary(args.year, path)
    except ValueError as exc:
        raise CliError(str(exc), EXIT_INVALID) from exc
    except OutputError as exc:  # one line: what, where, why; nothing left at the target
        raise CliError(str(exc), EXIT_UNUSABLE) from exc
    except OSError as exc:
        raise CliError(f"无法写入文件“{path}”：{exc.strerror or exc}", EXIT_UNUSABLE) from exc
    print(path)
    return EXIT_OK
