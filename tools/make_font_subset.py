"""Build the bundled Simplified Chinese UI font subsets.

The app must render Simplified Chinese on machines that have no CJK system
font (on screen and in generated PDFs), so we ship a subset of
Noto Sans CJK SC (SIL Open Font License 1.1) in ``resources/fonts/``.

Usage (from the repository root)::

    # one-time build tools (NOT runtime dependencies of partybuild):
    apt-get install -y fonts-noto-cjk        # Debian/Ubuntu source fonts
    pip install fonttools brotli

    python tools/make_font_subset.py

Options::

    --regular PATH   source Regular TTC/OTF
                     (default /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc)
    --bold PATH      source Bold TTC/OTF
                     (default /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc)
    --family NAME    face to pick inside a TTC, matched against the name table
                     (default "Noto Sans CJK SC")
    --out-dir DIR    output folder (default <repo>/resources/fonts)

Outputs ``NotoSansSC-Regular.otf`` and ``NotoSansSC-Bold.otf``: plain
OpenType with the original CFF outlines (not WOFF/WOFF2, so Qt's PDF writer
can embed them). Hinting is dropped; only the ``kern``, ``vert``, ``vrt2``
layout features are kept (``locl`` would swap digits beside Latin letters for variants
that PDFs cannot map back to text). The family is renamed "Partybuild Sans SC" (the OFL
allows it; the only Reserved Font Name is Adobe's 'Source'), so an installed system copy
of Noto Sans CJK never takes the bundled font's place.

Character coverage:

* every character of GB 2312 (all 2-byte codes 0xA1A1-0xF7FE that decode
  with Python's ``gb2312`` codec);
* ASCII, Latin-1 Supplement, General Punctuation, letterlike symbols,
  number forms, arrows, enclosed alphanumerics, box drawing, block
  elements, geometric shapes, CJK symbols and punctuation, enclosed CJK,
  CJK compatibility forms and half-/full-width forms;
* extra name characters not in GB 2312 (see ``EXTRA_NAME_CHARS``);
* every character found in ``*.py`` files under ``partybuild/`` and
  ``resources/`` at build time, so UI strings are always covered.
  **Re-run this script after adding UI strings with rare characters.**

The build is reproducible: the ``head.modified`` timestamp of the source
font is kept, so identical inputs give byte-identical outputs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTO_DIR = Path("/usr/share/fonts/opentype/noto")
DEFAULT_FAMILY = "Noto Sans CJK SC"

# Characters frequently used in Chinese personal and enterprise names (most of
# them are not in GB 2312; the rest are listed anyway for documentation).
EXTRA_NAME_CHARS = "堃喆玥昇珺琍犇淼鑫婧頔彧祎昕暘璟瑄珮琇镕铖钰锟焜燊垚埸赟翀奡旸勐晔堉骞"

# Inclusive code point ranges.
RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 Supplement (punctuation, ×, ÷, ...)
    (0x2000, 0x206F),  # General Punctuation
    (0x2100, 0x214F),  # Letterlike Symbols (℃, №, ...)
    (0x2150, 0x218F),  # Number Forms (Ⅰ, Ⅱ, ...)
    (0x2190, 0x21FF),  # Arrows
    (0x2460, 0x24FF),  # Enclosed Alphanumerics (①, ⑴, ...)
    (0x2500, 0x257F),  # Box Drawing
    (0x2580, 0x259F),  # Block Elements
    (0x25A0, 0x25FF),  # Geometric Shapes
    (0x3000, 0x303F),  # CJK Symbols and Punctuation
    (0x3200, 0x32FF),  # Enclosed CJK Letters and Months (㈠, ㊣, ...)
    (0xFE30, 0xFE4F),  # CJK Compatibility Forms (vertical punctuation)
    (0xFF00, 0xFFEF),  # Halfwidth and Fullwidth Forms
)

KEEP_FEATURES = ["kern", "vert", "vrt2"]
# The subset's own family name: with the source's name ("Noto Sans CJK SC") a machine that has the
# full system font installed would use that one instead, and PDFs would map some characters to
# look-alike radicals in their text layer. A distinct name keeps the bundled font in charge.
OUTPUT_FAMILY = "Partybuild Sans SC"

OUTPUTS = {
    "regular": "NotoSansSC-Regular.otf",
    "bold": "NotoSansSC-Bold.otf",
}


def gb2312_chars() -> set[str]:
    """Every character encodable in GB 2312 (rows 0xA1-0xF7, cells 0xA1-0xFE)."""
    chars: set[str] = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def source_chars(roots: list[Path]) -> set[str]:
    """All printable characters appearing in *.py files under ``roots``."""
    chars: set[str] = set()
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*.py")):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                print(f"warning: skipping {path}: {exc}", file=sys.stderr)
                continue
            chars.update(c for c in text if c.isprintable() and not _is_radical(c))
    return chars


def _is_radical(ch: str) -> bool:
    """CJK radicals (U+2E80–U+2FDF) share glyphs with ordinary characters (⻚ with 页). With them
    in the character map, PDF writers name the shared glyph by the radical, and text copied from
    a printout reads ⻚ where the page shows 页. Never put them in the subset."""
    return 0x2E80 <= ord(ch) <= 0x2FDF


def wanted_codepoints() -> tuple[set[int], set[int]]:
    """Return (all requested code points, those that must be in the font).

    The block ranges contain unassigned or non-Chinese code points the font
    lacks, which is fine; GB 2312, the name characters and characters from
    the source files are expected to be covered, and a warning lists any
    that are not.
    """
    chars = gb2312_chars()
    chars.update(EXTRA_NAME_CHARS)
    chars.update(source_chars([REPO_ROOT / "partybuild", REPO_ROOT / "resources"]))
    required = {ord(c) for c in chars}
    cps = set(required)
    for lo, hi in RANGES:
        cps.update(range(lo, hi + 1))
    return cps, required


def find_font_number(path: Path, family: str) -> int:
    """Index of the face whose name table family (ID 16, else ID 1) is ``family``."""
    if path.suffix.lower() not in {".ttc", ".otc"}:
        return 0
    collection = TTCollection(str(path), lazy=True)
    try:
        for index, font in enumerate(collection.fonts):
            name = font["name"]
            fam = name.getDebugName(16) or name.getDebugName(1)
            if fam == family:
                return index
    finally:
        collection.close()
    raise SystemExit(f"error: no face named {family!r} in {path}")


def rename(font: TTFont, family: str) -> None:
    """Give the subset its own family (name IDs 1, 4, 6, 16, 17 and the CFF font name)."""
    style = "Bold" if font["OS/2"].usWeightClass >= 700 else "Regular"
    postscript = family.replace(" ", "") + "-" + style
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 16):
            names.setName(family, record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 4:
            full = f"{family} {style}"
            names.setName(full, 4, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 6:
            names.setName(postscript, 6, record.platformID, record.platEncID, record.langID)
        elif record.nameID in (2, 17):
            names.setName(style, record.nameID, record.platformID, record.platEncID, record.langID)
    cff = font["CFF "].cff
    cff.fontNames = [postscript]
    top = cff.topDictIndex[0]
    top.FullName = f"{family} {style}"
    top.FamilyName = family


def make_subset(
    src: Path,
    dst: Path,
    family: str,
    codepoints: set[int],
    required: set[int] | frozenset[int] = frozenset(),
) -> None:
    index = find_font_number(src, family)
    options = subset.Options()
    options.font_number = index
    options.layout_features = list(KEEP_FEATURES)
    options.hinting = False
    options.desubroutinize = False  # keep CFF subroutines: much smaller file
    options.name_IDs = ["*"]  # keep copyright / licence / trademark strings
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    options.flavor = None  # plain OpenType (CFF), not WOFF/WOFF2
    options.recalc_timestamp = False  # reproducible output

    font = subset.load_font(str(src), options, lazy=False)
    try:
        cmap = font.getBestCmap()
        present = codepoints & set(cmap)
        missing = sorted(required - set(cmap))
        if missing:
            print(
                f"warning: {src.name} has no glyph for "
                + " ".join(f"U+{cp:04X}({chr(cp)})" for cp in missing),
                file=sys.stderr,
            )
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(present))
        subsetter.subset(font)
        rename(font, OUTPUT_FAMILY)
        dst.parent.mkdir(parents=True, exist_ok=True)
        subset.save_font(font, str(dst), options)
    finally:
        font.close()

    with TTFont(str(dst), lazy=True) as out:
        out_family = out["name"].getDebugName(16) or out["name"].getDebugName(1)
        n_cmap = len(out.getBestCmap())
        n_glyphs = out["maxp"].numGlyphs
    size_mb = dst.stat().st_size / 1_000_000
    print(
        f"{dst.name}: face #{index} of {src.name}, family {out_family!r}, "
        f"{n_cmap} code points, {n_glyphs} glyphs, {size_mb:.2f} MB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--regular", type=Path, default=NOTO_DIR / "NotoSansCJK-Regular.ttc")
    parser.add_argument("--bold", type=Path, default=NOTO_DIR / "NotoSansCJK-Bold.ttc")
    parser.add_argument("--family", default=DEFAULT_FAMILY)
    parser.add_argument("--out-dir", type=Path, default=REPO_ROOT / "resources" / "fonts")
    args = parser.parse_args(argv)

    for src in (args.regular, args.bold):
        if not src.is_file():
            parser.error(f"{src} not found (apt-get install fonts-noto-cjk?)")

    codepoints, required = wanted_codepoints()
    print(f"requested {len(codepoints)} code points ({len(required)} required)")
    make_subset(args.regular, args.out_dir / OUTPUTS["regular"], args.family, codepoints, required)
    make_subset(args.bold, args.out_dir / OUTPUTS["bold"], args.family, codepoints, required)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
