"""Reading Excel workbooks safely, and turning what a cell holds into a value of a column's kind.

Files arrive from many hands, so a file is checked before openpyxl sees it: an old .xls, a CSV,
a password-protected workbook (an OLE container under an .xlsx name), a truncated download, a
Word document or a zip bomb is refused with one Chinese sentence (:class:`WorkbookRefused`,
exit 2). Sheets are read with ``read_only=True, values_only=True`` — the only way 50,000 rows fit
the time and memory targets — and their dimensions are recomputed, because many writers record
wrong ones.

Cell parsing never guesses data of record: an ID number stored as a number has already lost its
last digits and is reported, a date given only to the month is reported, a bare year is reported.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel
from openpyxl.workbook import Workbook

from partybuild.domain import validators as v
from partybuild.domain.vocab import UnknownChoice, Vocabulary
from partybuild.ledgers import spec

# A sheet larger than this is not a ledger of one park; refuse it rather than fill the memory.
MAX_DATA_ROWS = 200_000
# Zip-bomb guards, checked on the zip directory before anything is decompressed.
MAX_UNCOMPRESSED = 1 << 30  # 1 GiB for the whole workbook
MAX_RATIO = 200  # uncompressed : compressed, for members larger than RATIO_FLOOR
RATIO_FLOOR = 20 << 20
MAX_MEMBERS = 10_000
# A row wider than this is cut: no ledger has more than ~20 columns.
MAX_COLUMNS = 256

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
EXCEL_ERRORS = frozenset(
    {"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#GETTING_DATA"}
)

DAMAGED_ID = "身份证号以数字形式保存，已丢失末位，请将该列设为文本后重新录入"
DAMAGED_CREDIT = "统一社会信用代码以数字形式保存，已丢失末位，请将该列设为文本后重新录入"


class WorkbookRefused(Exception):
    """The file cannot be read as a workbook; the message says why, in one line of Chinese."""


class CellError(ValueError):
    """A cell's content does not fit its column; the message names only the problem."""


# --------------------------------------------------------------------------- the file


def check_file(path: Path) -> None:
    """Refuse what openpyxl cannot or should not open, before it is opened."""
    name = path.name
    if not path.exists():
        raise WorkbookRefused(f"文件“{name}”不存在")
    if path.is_dir():
        raise WorkbookRefused(f"“{name}”是文件夹，不是 Excel 文件")
    suffix = path.suffix.lower()
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise WorkbookRefused(f"无法读取“{name}”：{exc.strerror or exc}") from exc
    if not head:
        raise WorkbookRefused(f"“{name}”是空文件")
    if head == OLE_MAGIC:
        raise WorkbookRefused(_ole_reason(path, suffix))
    if head[:4] != ZIP_MAGIC:
        if suffix == ".csv" or suffix == ".txt":
            raise WorkbookRefused(f"不支持 CSV/文本文件“{name}”，请在 Excel/WPS 中另存为 .xlsx")
        if suffix == ".xls":
            raise WorkbookRefused("不支持 .xls 格式，请在 Excel/WPS 中另存为 .xlsx")
        raise WorkbookRefused(f"“{name}”不是 Excel 工作簿（.xlsx）")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise WorkbookRefused(
            f"“{name}”已损坏或不完整（可能没有下载或复制完整），无法读取"
        ) from exc
    _check_members(name, members)


def _ole_reason(path: Path, suffix: str) -> str:
    """An OLE container is an old .xls or an encrypted workbook; say which."""
    try:
        data = path.read_bytes()[: 8 << 20]
    except OSError:
        data = b""
    if (
        "EncryptedPackage".encode("utf-16-le") in data
        or "EncryptionInfo".encode("utf-16-le") in data
    ):
        return (
            f"“{path.name}”设置了打开密码（已加密），请在 Excel/WPS 中取消密码后另存为 .xlsx 再导入"
        )
    if suffix == ".xls" or "Workbook".encode("utf-16-le") in data:
        return "不支持 .xls 格式，请在 Excel/WPS 中另存为 .xlsx"
    return f"“{path.name}”是旧版 Office 文件，不是 .xlsx 工作簿"


def _check_members(name: str, members: list[zipfile.ZipInfo]) -> None:
    names = {info.filename for info in members}
    if "xl/workbook.xml" not in names and not any(n.endswith("workbook.xml") for n in names):
        if "word/document.xml" in names:
            raise WorkbookRefused(f"“{name}”是 Word 文档，不是 Excel 工作簿")
        if "ppt/presentation.xml" in names:
            raise WorkbookRefused(f"“{name}”是 PowerPoint 文稿，不是 Excel 工作簿")
        raise WorkbookRefused(f"“{name}”是压缩包或其他文件，不是 Excel 工作簿（.xlsx）")
    if len(members) > MAX_MEMBERS:
        raise WorkbookRefused(f"“{name}”内部结构异常（{len(members)} 个部件），拒绝读取")
    total = 0
    for info in members:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise WorkbookRefused(
                f"“{name}”解压后异常膨胀（{info.filename} 压缩比 {ratio:.0f}:1），疑似恶意文件，拒绝读取"
            )
    if total > MAX_UNCOMPRESSED:
        raise WorkbookRefused(
            f"“{name}”解压后超过 {MAX_UNCOMPRESSED >> 20} MB，超出台账文件的合理大小，拒绝读取"
        )


@contextmanager
def bulk_work() -> Iterator[None]:
    """No cyclic garbage collection while tens of thousands of row objects are built.

    Nothing made then is garbage until the work is done, yet every generation-2 pass walks all of
    it: on a 50,000-row roster that is a tenth of the time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def open_workbook(path: Path) -> Iterator[Workbook]:
    """The checked workbook, read-only with cached formula results; always closed after."""
    check_file(path)
    fh = path.open("rb")
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it skips; they do not matter here.
            warnings.simplefilter("ignore")
            try:
                workbook = load_workbook(fh, read_only=True, data_only=True, keep_links=False)
            except WorkbookRefused:
                raise
            except Exception as exc:  # openpyxl raises many kinds for a damaged file
                raise WorkbookRefused(
                    f"“{path.name}”无法作为 Excel 工作簿读取（{short_reason(exc)}）"
                ) from exc
        try:
            yield workbook
        finally:
            workbook.close()
    finally:
        fh.close()


def short_reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def worksheets(workbook: Workbook) -> list[Any]:
    """The sheets that hold cells (chart sheets are skipped)."""
    return [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]


def sheet_rows(ws: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(Excel row number, values) of every row, read lazily; damage surfaces as WorkbookRefused."""
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()  # recorded dimensions are often wrong; read what is there
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
                if len(row) > MAX_COLUMNS:
                    row = row[:MAX_COLUMNS]
                yield number, row
    except WorkbookRefused:
        raise
    except Exception as exc:  # zlib, XML and zip errors of a damaged sheet
        raise WorkbookRefused(
            f"工作表“{ws.title}”内容已损坏，无法读取（{short_reason(exc)}）"
        ) from exc


# --------------------------------------------------------------------------- text


_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_NEEDS_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
# 张  三 / 欧阳 娜娜: spaces that align short names in printed rosters (2-4 characters).
ALIGNED_NAME = re.compile(r"[\u3400-\u9fff](?:[ \u3000\xa0]+[\u3400-\u9fff]){1,3}")
_SPACES = re.compile(r"[\s\u3000\xa0]+")


def unescape_text(text: str) -> str:
    """OOXML writes control characters as _xHHHH_ (Excel's line breaks arrive as _x000D_)."""
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def escape_text(text: str) -> str:
    """The inverse of :func:`unescape_text` for a literal “_x0041_” in our own text."""
    return _NEEDS_ESCAPE.sub("_x005F", text) if "_x" in text else text


# Marks templates put on a header: 【必填】姓名, 姓名*, 姓名（必填）, ※姓名, 姓名(选填).
_HEADER_MARKS = re.compile(
    r"^(?:[【\[](?:必填|选填|必录|选录|可选|非必填|必填项|选填项)[】\]])+"
    r"|(?:[（(【\[](?:必填|选填|必录|选录|可选|非必填|必填项|选填项|必须填写|可不填)[)）】\]])+$"
)


def clean_header(value: Any) -> str:
    """A header as compared: no spaces or line breaks, half-width, no required-marks
    (【必填】, ``*``, （必填）, （选填）)."""
    if value is None:
        return ""
    text = v.normalize_text(unescape_text(str(value)))
    text = _SPACES.sub("", text)
    previous = None
    while previous != text:
        previous = text
        text = _HEADER_MARKS.sub("", text.strip("*＊※"))
    return text


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --------------------------------------------------------------------------- cells → values


_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_TIME = re.compile(r"(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2})\s*秒?)?\s*分?")
_DATE8 = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")
_YEAR = re.compile(r"(\d{4})\s*年?")
_INT = re.compile(r"[+]?\d+")
_FLOAT = re.compile(r"[+]?(\d+(\.\d*)?|\.\d+)")
TRUE_WORDS = frozenset({"是", "有", "√", "✓", "Y", "YES", "TRUE", "1", "对"})
FALSE_WORDS = frozenset({"否", "无", "×", "✗", "N", "NO", "FALSE", "0", "不是"})
LAST_SERIAL = 73050  # 2099-12-31; the ledgers hold nothing later


def _text_of(value: Any) -> str:
    """A non-text cell as the text a person sees in it."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return f"{value:%Y-%m-%d}"
        return f"{value:%Y-%m-%d %H:%M:%S}"
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def cell_text(value: Any) -> str | None:
    """Text of a cell for text columns: unescaped, half-width, trimmed; None when empty."""
    if value is None:
        return None
    if type(value) is str:
        text = unescape_text(value) if "_x" in value else value
    else:
        text = _text_of(value)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = v.normalize_text(text)
    if text in EXCEL_ERRORS:
        raise CellError(f"单元格是 Excel 错误值 {text}，请修正公式或填写数值")
    return text or None


def parse_cell(
    value: Any, kind: str, vocabulary: Vocabulary | None = None, epoch: Any = None
) -> Any:
    """Turn a cell into the Python value a column of ``kind`` stores; CellError if it cannot.

    Returns None for an empty cell. The result is then checked by the same cleaning as a form
    (``services.records``), so only Excel's own quirks are handled here.
    """
    return parser(kind, vocabulary, epoch)(value)


def parser(
    kind: str, vocabulary: Vocabulary | None = None, epoch: Any = None
) -> Callable[[Any], Any]:
    """A parse function for one column (made once per sheet: 50,000 rows × 16 columns add up)."""
    if kind in (spec.TEXT, spec.LONGTEXT):
        single_line = kind == spec.TEXT

        def text(value: Any) -> str | None:
            if value is None:
                return None
            result = cell_text(value)
            if (
                single_line
                and result is not None
                and (" " in result or "\xa0" in result)
                and len(result) <= 12
                and ALIGNED_NAME.fullmatch(result)
            ):
                result = _SPACES.sub("", result)  # alignment in a printed roster, not data
            return result

        return text
    if kind == spec.ID_NUMBER:
        return _blank_or(parse_id_number)
    if kind == spec.CREDIT_CODE:
        return _blank_or(parse_credit_code)
    if kind == spec.PHONE:
        return _blank_or(parse_phone)
    if kind == spec.CHOICE:
        assert vocabulary is not None
        known: dict[str, str] = {}  # a column repeats a handful of words 50,000 times

        def choice(value: Any) -> str | None:
            text = cell_text(value)
            if text is None:
                return None
            code = known.get(text)
            if code is None:
                try:  # labels, codes and their synonyms, as the form and search read them
                    code = known[text] = vocabulary.resolve(text)
                except UnknownChoice as exc:
                    raise CellError(str(exc)) from None
            return code

        return choice
    if kind == spec.BOOL:
        return _blank_or(parse_bool)
    if kind == spec.INT:
        return _blank_or(parse_int)
    if kind == spec.FLOAT:
        return _blank_or(parse_float)
    if kind == spec.DATE:

        def date(value: Any) -> dt.date | None:
            if type(value) is dt.datetime:  # the usual case: a real date cell
                return value.date()
            if value is None or (type(value) is str and not value.strip()):
                return None
            return parse_date(value, epoch)

        return date
    if kind == spec.DATETIME:
        return _blank_or(lambda value: parse_datetime(value, epoch))
    raise AssertionError(kind)


def _blank_or(function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        if value is None or (type(value) is str and not value.strip()):
            return None
        return function(value)

    return parse


def parse_credit_code(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise CellError(DAMAGED_CREDIT)
    text = _SPACES.sub("", cell_text(value) or "")
    return text.upper() if text.isascii() else text


def parse_id_number(value: Any) -> str:
    if (
        type(value) is str
        and len(value) == 18
        and value[:17].isascii()
        and value[:17].isdigit()
        and value[17] in "0123456789Xx"
    ):
        return value[:17] + value[17].upper()  # the usual case, already clean
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise CellError(DAMAGED_ID)
    text = cell_text(value) or ""
    if " " in text or "\n" in text or "\t" in text:
        text = _SPACES.sub("", text)
    if "*" in text:
        raise CellError("身份证号已脱敏（含 *），无法导入；请使用未脱敏的导出文件")
    # A lower-case check letter is the same number; the form asks for upper case, Excel users
    # type whatever their input method gives.
    if len(text) == 18 and text[-1] == "x":
        text = text[:-1] + "X"
    return text


def parse_phone(value: Any) -> str:
    if type(value) is str and value.isascii() and value.isdigit():
        return value  # the usual case, already clean
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and not value.is_integer():
            raise CellError("电话号码格式不正确")
        text = str(int(value))
        try:
            v.check_phone(text)
        except ValueError:
            raise CellError(
                "电话号码以数字形式保存，开头的 0 或分隔符可能已丢失，请将该列设为文本后重新录入"
            ) from None
        return text
    text = _SPACES.sub("", cell_text(value) or "")
    if "*" in text:
        raise CellError("电话号码已脱敏（含 *），无法导入；请使用未脱敏的导出文件")
    return text


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = _SPACES.sub("", cell_text(value) or "").upper()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError(f"“{_text_of(value)}”应为“是”或“否”")


def parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise CellError("应为整数")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        raise CellError(f"“{_text_of(value)}”应为整数")
    text = _SPACES.sub("", cell_text(value) or "").replace(",", "")
    if _INT.fullmatch(text):
        return int(text)
    raise CellError(f"“{_text_of(value)}”应为整数")


def parse_float(value: Any) -> float:
    if isinstance(value, bool):
        raise CellError("应为数字")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise CellError("应为数字")
        return float(value)
    text = _SPACES.sub("", cell_text(value) or "").replace(",", "")
    if _FLOAT.fullmatch(text):
        return float(text)
    raise CellError(f"“{_text_of(value)}”应为数字")


def _date(year: int, month: int, day: int, shown: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(f"“{shown}”不是有效的日期") from None


class MonthOnly(CellError):
    """A date given to the month only (2019.07). Refused — unless, for a birth date, the ID
    number on the same row carries the full date and agrees with the month (the importer checks)."""

    def __init__(self, shown: str, year: int, month: int) -> None:
        super().__init__(f"“{shown}”只精确到月，无法确定具体日期，请填写完整日期（如 2019-07-01）")
        self.year = year
        self.month = month


def _month_only(shown: str, year: int, month: int) -> CellError:
    return MonthOnly(shown, year, month)


def _serial(value: float, epoch: Any, shown: str) -> dt.datetime:
    """An Excel serial date — only ever from a cell that holds a number."""
    if 1900 <= value < 2101:
        # 2023 or 2019.07 typed into a date column: a year, or a year and month, not a serial.
        if value.is_integer():
            raise CellError(f"“{shown}”只有年份，请填写完整日期（如 {int(value)}-07-01）")
        year = int(value)
        raise _month_only(shown, year, round((value - year) * 100))
    if 19000101 <= value <= 21001231 and float(value).is_integer():
        text = str(int(value))
        return dt.datetime.combine(
            _date(int(text[:4]), int(text[4:6]), int(text[6:]), shown), dt.time()
        )
    if not 1 <= value <= LAST_SERIAL:
        raise CellError(f"数字“{shown}”不是有效的日期")
    kwargs = {"epoch": epoch} if epoch is not None else {}
    moment = from_excel(value, **kwargs)
    return _round_second(moment)


def _round_second(moment: dt.datetime) -> dt.datetime:
    if moment.microsecond >= 500_000:
        moment += dt.timedelta(seconds=1)
    return moment.replace(microsecond=0)


def parse_date(value: Any, epoch: Any = None) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellError("应为日期")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise CellError("应为日期")
        return _serial(float(value), epoch, _text_of(value)).date()
    if isinstance(value, dt.time):
        raise CellError("应为日期，而不是时刻")
    text = cell_text(value) or ""
    return _parse_date_text(text)[0]


def _parse_date_text(text: str) -> tuple[dt.date, str]:
    """A date written as text, and what follows it (a time, or nothing)."""
    compact = text.strip()
    match = _DATE.match(compact)
    if match:
        day = _date(int(match[1]), int(match[2]), int(match[3]), text)
        return day, compact[match.end() :].strip()
    match = _DATE8.fullmatch(compact)
    if match:
        return _date(int(match[1]), int(match[2]), int(match[3]), text), ""
    month_only = _MONTH.fullmatch(compact)
    if month_only:
        raise _month_only(text, int(month_only[1]), int(month_only[2]))
    if _YEAR.fullmatch(compact):
        raise CellError(f"“{text}”只有年份，请填写完整日期")
    raise CellError(f"无法识别的日期“{text}”（请写成 2023-04-18）")


def parse_datetime(value: Any, epoch: Any = None) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return _round_second(value)
    if isinstance(value, dt.date):
        raise CellError(f"“{value:%Y-%m-%d}”只有日期，请同时填写时间（如 {value:%Y-%m-%d} 08:30）")
    if isinstance(value, bool):
        raise CellError("应为日期和时间")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise CellError("应为日期和时间")
        moment = _serial(float(value), epoch, _text_of(value))
        if float(value).is_integer():
            raise CellError(f"“{moment:%Y-%m-%d}”只有日期，请同时填写时间")
        return moment
    text = cell_text(value) or ""
    day, rest = _parse_date_text(text.replace("T", " "))
    if not rest:
        raise CellError(f"“{text}”只有日期，请同时填写时间（如 {day:%Y-%m-%d} 08:30）")
    match = _TIME.fullmatch(rest)
    if not match:
        raise CellError(f"无法识别的时间“{text}”（请写成 2023-04-18 08:30）")
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    try:
        return dt.datetime.combine(day, dt.time(hour, minute, second))
    except ValueError:
        raise CellError(f"“{text}”不是有效的时间") from None
