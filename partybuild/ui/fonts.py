"""Bundled CJK UI font registration.

The app ships a subset of Noto Sans CJK SC (SIL OFL 1.1) in
``resources/fonts/`` so Simplified Chinese renders on machines without a CJK
system font, both on screen and in PDFs written by Qt. Call
:func:`register_fonts` once after the ``QApplication`` has been created, then
use :func:`ui_font_family` (or :func:`ui_font`) for widgets and documents.

The font files are regenerated with ``python tools/make_font_subset.py``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

logger = logging.getLogger(__name__)

#: Family name stored in the bundled subset's name table.
BUNDLED_FAMILY = "Partybuild Sans SC"

FONT_SUFFIXES = frozenset({".otf", ".ttf"})

_HERE = Path(__file__).resolve()

#: Where the font folder may live, first existing wins:
#: source checkout (``<repo>/resources/fonts``) and installed package
#: layout (``partybuild/resources/fonts``).
CANDIDATE_DIRS: tuple[Path, ...] = (
    _HERE.parents[2] / "resources" / "fonts",
    _HERE.parents[1] / "resources" / "fonts",
)

# path -> family names, so repeated calls do not register fonts twice.
_registered: dict[Path, list[str]] = {}
# The families once every bundled file is registered: later calls (one per font a page makes)
# need not look at the folder again.
_families: list[str] | None = None
# warnings already logged, so ui_font_family() in a loop does not spam the log.
_warned: set[str] = set()


def _warn_once(msg: str, *args: object) -> None:
    text = msg % args if args else msg
    if text not in _warned:
        _warned.add(text)
        logger.warning(text)


def fonts_dir() -> Path | None:
    """Return the first existing bundled-font folder, or ``None``."""
    for candidate in CANDIDATE_DIRS:
        if candidate.is_dir():
            return candidate
    return None


def register_fonts() -> list[str]:
    """Register every bundled .otf/.ttf with Qt and return their family names.

    Needs a ``QGuiApplication``/``QApplication`` instance. Safe to call more
    than once (files are only added on the first call). Never raises: problems
    are logged and an empty (or partial) list is returned.
    """
    global _families
    if _families is not None:
        return list(_families)
    if QGuiApplication.instance() is None:
        _warn_once("register_fonts() called before QApplication was created")
        return []

    folder = fonts_dir()
    if folder is None:
        _warn_once(
            "No bundled font folder found (looked in %s); Chinese text depends on system fonts",
            ", ".join(str(p) for p in CANDIDATE_DIRS),
        )
        return []

    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in FONT_SUFFIXES)
    if not files:
        _warn_once("No .otf/.ttf files in %s; Chinese text depends on system fonts", folder)
        return []

    families: list[str] = []
    complete = True
    for path in files:
        if path not in _registered:
            font_id = QFontDatabase.addApplicationFont(str(path))
            if font_id < 0:
                _warn_once("Qt could not load font file %s", path)
                complete = False
                continue
            _registered[path] = list(QFontDatabase.applicationFontFamilies(font_id))
            logger.debug("Registered %s as %s", path.name, _registered[path])
        for family in _registered[path]:
            if family not in families:
                families.append(family)
    if complete:
        _families = list(families)
    return families


def ui_font_family() -> str:
    """Family name to use for the UI and printed documents.

    Returns the bundled family when it is registered (registering it on
    demand), else the first registered family, else the system UI family.
    """
    families = register_fonts()
    if BUNDLED_FAMILY in families:
        return BUNDLED_FAMILY
    if families:
        return families[0]
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont).family()


def ui_font(point_size: float | None = None, *, bold: bool = False) -> QFont:
    """A ``QFont`` in :func:`ui_font_family`, optionally sized and bold."""
    font = QFont(ui_font_family())
    if point_size is not None:
        font.setPointSizeF(point_size)
    font.setBold(bold)
    return font
