"""The typeface of printed documents: the bundled subset, so Chinese prints on any machine.

The subset carries its own family name ("Partybuild Sans SC", see tools/make_font_subset.py), so a
system copy of Noto Sans CJK never takes its place and every PDF embeds the same glyphs, with a
text layer that copies and searches as the characters it shows.
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication

from partybuild.ui import fonts as ui_fonts


def print_font_family() -> str:
    """The family to print with (registers the bundled fonts if that has not happened yet)."""
    if QGuiApplication.instance() is None:
        raise RuntimeError("打印需要先创建 QGuiApplication")
    ui_fonts.register_fonts()
    return ui_fonts.ui_font_family()
