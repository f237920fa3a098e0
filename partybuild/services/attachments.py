"""附件: photos, scans, PDFs, Word and Excel files attached to records, kept in the database.

The bytes go to ``attachment_blob`` once per SHA-256 (the same photo attached to two meetings is
stored once); ``attachment`` links a blob to a record with a name, a kind and the sniffed format.
So PostgreSQL sharing, backups and restore carry attachments with no second storage to keep in
step, the recycle bin and the 操作日志 treat an attachment as any record (the log holds the
name, kind, size and hash — never the bytes).

What is accepted is decided from the bytes, never from the file name: JPEG, PNG, HEIC (through
pillow-heif), PDF, .docx/.xlsx (a zip whose parts say so), .doc/.xls (an OLE file whose name says
which). Images are opened with Pillow with its decompression-bomb limit made an error, so a small
PNG claiming 100 million pixels is refused before it is decoded. Limits are settings kept with
the data: ``attachment_max_file_mb`` (default 20) and ``attachment_max_record_mb`` (default 200).

Photos from phones carry where they were taken and with which device: a saved copy (save as, the
inspection pack) has the GPS and device EXIF tags removed unless the setting
``attachment_keep_location`` is 1. For JPEG only the EXIF segment is rewritten (the picture is
not re-encoded); EXIF orientation stays, so the photo still stands the right way up.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import peewee as pw
from PIL import Image, ImageOps, UnidentifiedImageError

from partybuild.domain import vocab
from partybuild.ledgers import spec
from partybuild.outputs import atomic_output
from partybuild.services import audit
from partybuild.services import records as record_service
from partybuild.services.errors import RecordNotFound, busy_as_storage_busy
from partybuild.store import models as m

try:  # HEIC photos (iPhones): pillow-heif registers its opener with Pillow
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIC_SUPPORTED = True
except ImportError:  # pragma: no cover - a platform without its wheel: HEIC is refused by name
    HEIC_SUPPORTED = False

MAX_FILE_SETTING = "attachment_max_file_mb"
MAX_RECORD_SETTING = "attachment_max_record_mb"
KEEP_LOCATION_SETTING = "attachment_keep_location"
DEFAULT_MAX_FILE_MB = 20
DEFAULT_MAX_RECORD_MB = 200
MB = 1024 * 1024
CHUNK = 1024 * 1024

#: The ledgers whose records take attachments → the model of their records.
OWNERS: dict[str, type[m.BaseModel]] = {
    "activities": m.Activity,
    "trainings": m.Training,
    "services": m.Service,
    "issues": m.EnterpriseIssue,
    "members": m.Member,
}

#: Sniffed format → (the kind it is filed as, the usual suffix, what a person calls it).
FORMATS: dict[str, tuple[str, str, str]] = {
    "jpeg": ("photo", ".jpg", "JPEG 图片"),
    "png": ("photo", ".png", "PNG 图片"),
    "heic": ("photo", ".heic", "HEIC 图片"),
    "pdf": ("pdf", ".pdf", "PDF 文件"),
    "docx": ("word", ".docx", "Word 文档"),
    "doc": ("word", ".doc", "Word 97-2003 文档"),
    "xlsx": ("excel", ".xlsx", "Excel 表格"),
    "xls": ("excel", ".xls", "Excel 97-2003 表格"),
}
IMAGE_FORMATS = ("jpeg", "png", "heic")

# EXIF tags that say where and with what a photo was taken (removed from saved copies).
_GPS_IFD = 0x8825
_EXIF_IFD = 0x8769
_DEVICE_TAGS = (0x010F, 0x0110, 0x0131, 0x013B, 0xC62F)  # Make, Model, Software, Artist, serial
_DEVICE_EXIF_TAGS = (0x927C, 0xA430, 0xA431, 0xA432, 0xA433, 0xA434, 0xA435)  # MakerNote, lens…
_XMP_PREFIX = b"http://ns.adobe.com/xap/1.0/\x00"


class AttachmentError(ValueError):
    """A file that cannot be attached or saved; the message is one Chinese line saying why."""


@dataclass(frozen=True)
class AttachmentInfo:
    """One attachment as lists show it (no bytes)."""

    id: int
    owner_ledger: str
    owner_id: int
    name: str
    kind: str
    content_type: str
    size: int
    sha256: str
    added_at: dt.datetime

    @property
    def kind_label(self) -> str:
        return vocab.ATTACHMENT_KIND.label(self.kind)

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_FORMATS

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "size": self.size,
            "sha256": self.sha256,
            "added_at": self.added_at.isoformat(timespec="seconds"),
        }


def _info(row: m.Attachment) -> AttachmentInfo:
    return AttachmentInfo(
        row.id,
        row.owner_ledger,
        row.owner_id,
        row.name,
        row.kind,
        row.content_type,
        row.size,
        row.sha256,
        row.added_at,
    )


# --------------------------------------------------------------------------- settings


def _setting(key: str, default: int) -> int:
    row = m.Setting.get_or_none(m.Setting.key == key)
    try:
        return int(row.value) if row is not None else default
    except ValueError:
        return default


def _set_setting(key: str, value: int) -> None:
    (
        m.Setting.insert(key=key, value=str(int(value)))
        .on_conflict(conflict_target=[m.Setting.key], preserve=[m.Setting.value])
        .execute()
    )


def max_file_bytes() -> int:
    return _setting(MAX_FILE_SETTING, DEFAULT_MAX_FILE_MB) * MB


def max_record_bytes() -> int:
    return _setting(MAX_RECORD_SETTING, DEFAULT_MAX_RECORD_MB) * MB


def set_limits(file_mb: int | None = None, record_mb: int | None = None) -> None:
    if file_mb is not None:
        _set_setting(MAX_FILE_SETTING, max(1, file_mb))
    if record_mb is not None:
        _set_setting(MAX_RECORD_SETTING, max(1, record_mb))


def keep_location() -> bool:
    """Whether saved copies keep the GPS and device EXIF of photos (default: removed)."""
    return _setting(KEEP_LOCATION_SETTING, 0) == 1


def set_keep_location(keep: bool) -> None:
    _set_setting(KEEP_LOCATION_SETTING, 1 if keep else 0)


# --------------------------------------------------------------------------- content


def _mb(n: int) -> str:
    return f"{n / MB:.1f} MB"


def sniff(data: bytes, name: str = "") -> str | None:
    """What the bytes are (a key of :data:`FORMATS`), or None. The name decides only between
    .doc and .xls, which share one container format and differ only inside it."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"heim", b"heis", b"mif1"):
        return "heic"
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
        return None
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        suffix = Path(name).suffix.lower()
        return {".doc": "doc", ".xls": "xls"}.get(suffix)
    return None


def open_image(data: bytes, where: str) -> Image.Image:
    """The image, opened with Pillow's decompression-bomb limit as an error."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image.size  # noqa: B018 - the header is read and the bomb check done by open
            return image
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise AttachmentError(
            f"{where}：图片尺寸过大（超过 {Image.MAX_IMAGE_PIXELS:,} 像素），可能是恶意构造的文件，未添加"
        ) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise AttachmentError(f"{where}：图片已损坏或无法读取（{exc}），未添加") from exc


def check_content(data: bytes, name: str) -> str:
    """The sniffed format of a file to attach; :class:`AttachmentError` for anything else."""
    fmt = sniff(data, name)
    if fmt is None:
        raise AttachmentError(
            f"“{name}”：无法识别的文件内容（只能添加 JPEG/PNG/HEIC 照片、PDF、Word、Excel 文件），未添加"
        )
    if fmt == "heic" and not HEIC_SUPPORTED:
        raise AttachmentError(f"“{name}”：本机无法读取 HEIC 照片，请先转为 JPEG，未添加")
    if fmt in IMAGE_FORMATS:
        image = open_image(data, f"“{name}”")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image.load()  # a truncated or damaged picture is refused now, not when shown
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombWarning) as exc:
            raise AttachmentError(f"“{name}”：图片已损坏或无法读取（{exc}），未添加") from exc
        finally:
            image.close()
    return fmt


def read_file(
    path: Path | str,
    progress: Callable[[int, int], bool | None] | None = None,
    limit: int | None = None,
) -> bytes:
    """A file's bytes, in chunks (``progress(done, total)`` may return False to stop), refused
    before it is read when it is over the per-file limit."""
    path = Path(path)
    limit = max_file_bytes() if limit is None else limit
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise AttachmentError(f"“{path}”不是文件，未添加")
        if size > limit:
            raise AttachmentError(
                f"“{path.name}”有 {_mb(size)}，超过了每个附件 {_mb(limit)} 的上限，未添加"
            )
        chunks: list[bytes] = []
        done = 0
        with open(path, "rb") as source:
            while chunk := source.read(CHUNK):
                chunks.append(chunk)
                done += len(chunk)
                if done > limit:
                    raise AttachmentError(
                        f"“{path.name}”超过了每个附件 {_mb(limit)} 的上限，未添加"
                    )
                if progress is not None and progress(done, size) is False:
                    raise AttachmentError("已取消，未添加附件")
    except OSError as exc:
        raise AttachmentError(f"无法读取“{path}”：{exc.strerror or exc}，未添加") from exc
    return b"".join(chunks)


# --------------------------------------------------------------------------- records


def owner_title(owner_ledger: str, owner_id: int) -> str:
    ledger = spec.ledger(owner_ledger)
    row = OWNERS[owner_ledger].get_or_none(OWNERS[owner_ledger].id == owner_id)
    return ledger.title(row) if row is not None else f"#{owner_id}"


def _owner(owner_ledger: str, owner_id: int) -> m.BaseModel:
    if owner_ledger not in OWNERS:
        raise AttachmentError(f"{owner_ledger} 台账的记录不能添加附件")
    model = OWNERS[owner_ledger]
    row = model.get_or_none(model.id == owner_id, model.deleted == False)  # noqa: E712
    if row is None:
        label = spec.ledger(owner_ledger).label
        raise RecordNotFound(f"没有编号为 {owner_id} 的{label}")
    return row


def _live(owner_ledger: str, owner_id: int) -> pw.ModelSelect:
    A = m.Attachment
    return A.select().where(
        A.owner_ledger == owner_ledger,
        A.owner_id == owner_id,
        A.deleted == False,  # noqa: E712
    )


@dataclass(frozen=True)
class NewFile:
    """A file to attach: its name as shown, its bytes, and an optional kind (签字签到表)."""

    name: str
    data: bytes
    kind: str | None = None


def prepare(path: Path | str, kind: str | None = None, **read: object) -> NewFile:
    path = Path(path)
    return NewFile(path.name, read_file(path, **read), kind)  # type: ignore[arg-type]


def _stored_blob(digest: str) -> int | None:
    """The id of the content already stored with this hash, if any. On a shared database with
    accounts a secretary cannot read content linked only to another branch's records; the
    database's ``partybuild_blob_id`` still finds it, so it is stored once (store.accounts)."""
    found = m.AttachmentBlob.select(m.AttachmentBlob.id).where(m.AttachmentBlob.sha256 == digest)
    row = found.first()
    if row is not None:
        return row.id
    database = m.db_proxy.obj
    if isinstance(database, pw.PostgresqlDatabase):
        known = database.execute_sql("SELECT to_regproc('partybuild_blob_id') IS NOT NULL")
        if known.fetchone()[0]:
            hidden = database.execute_sql("SELECT partybuild_blob_id(%s)", (digest,)).fetchone()
            return hidden[0] if hidden and hidden[0] is not None else None
    return None


@dataclass(frozen=True)
class Added:
    """What :func:`add` did: the new attachments, and the names skipped as already attached."""

    added: list[AttachmentInfo]
    skipped: list[str]


@busy_as_storage_busy
def add(owner_ledger: str, owner_id: int, files: list[NewFile]) -> Added:
    """Attach ``files`` to a record, all or none: each is checked (size, content) first. A file
    whose content the record already has (or that comes twice) is skipped and named."""
    record = _owner(owner_ledger, owner_id)
    file_limit, record_limit = max_file_bytes(), max_record_bytes()
    checked: list[tuple[NewFile, str, str]] = []
    for new in files:
        name = os.path.basename(new.name.strip()) or "附件"
        if len(new.data) > file_limit:
            raise AttachmentError(
                f"“{name}”有 {_mb(len(new.data))}，超过了每个附件 {_mb(file_limit)} 的上限，未添加"
            )
        if not new.data:
            raise AttachmentError(f"“{name}”是空文件，未添加")
        fmt = check_content(new.data, name)
        kind = new.kind or FORMATS[fmt][0]
        if kind not in vocab.ATTACHMENT_KIND:
            raise AttachmentError(f"未知的附件类别：{kind}")
        if kind == "signin_sheet" and fmt not in (*IMAGE_FORMATS, "pdf"):
            raise AttachmentError(f"“{name}”：签字签到表应为照片或 PDF 扫描件，未添加")
        checked.append((NewFile(name[:255], new.data, kind), fmt, kind))
    ledger = spec.ATTACHMENTS
    added: list[AttachmentInfo] = []
    skipped: list[str] = []
    with m.db_proxy.obj.atomic():
        present = {row.sha256 for row in _live(owner_ledger, owner_id)}
        fresh = []
        for new, fmt, kind in checked:
            digest = hashlib.sha256(new.data).hexdigest()
            if digest in present:
                skipped.append(new.name)
            else:
                present.add(digest)
                fresh.append((new, fmt, kind))
        checked = fresh
        used = _live(owner_ledger, owner_id).select(pw.fn.COALESCE(pw.fn.SUM(m.Attachment.size), 0))
        total = int(used.scalar() or 0) + sum(len(f.data) for f, _, _ in checked)
        if total > record_limit:
            raise AttachmentError(
                f"这条记录的附件合计将有 {_mb(total)}，超过了每条记录 {_mb(record_limit)} 的上限，未添加"
            )
        for new, fmt, kind in checked:
            digest = hashlib.sha256(new.data).hexdigest()
            blob_id = _stored_blob(digest)
            if blob_id is None:
                blob_id = m.AttachmentBlob.create(
                    sha256=digest, size=len(new.data), data=new.data
                ).id
            values = {
                "owner_ledger": owner_ledger,
                "owner_id": record.id,
                "name": new.name,
                "kind": kind,
                "size": len(new.data),
                "sha256": digest,
                "added_at": m.now(),
            }
            row = m.Attachment.create(
                blob=blob_id, content_type=fmt, updated_by=audit.operator(), **values
            )
            where = f"{spec.ledger(owner_ledger).label}“{spec.ledger(owner_ledger).title(record)}”"
            audit.log(
                "create",
                ledger,
                row.id,
                new.name,
                audit.diff(ledger, {}, values),
                note=f"附件添加到{where}",
            )
            added.append(_info(row))
    return Added(added, skipped)


def listing(owner_ledger: str, owner_id: int) -> list[AttachmentInfo]:
    """The record's attachments (not those in the recycle bin), oldest first."""
    rows = _live(owner_ledger, owner_id).order_by(m.Attachment.added_at, m.Attachment.id)
    return [_info(row) for row in rows]


def counts(owner_ledger: str, owner_ids: list[int] | None = None) -> dict[int, int]:
    """Record id → number of live attachments (records with none are absent)."""
    from partybuild.services.query import attachment_counts  # the one count, without Pillow

    return attachment_counts(owner_ledger, owner_ids)


def has_signed_sheet(training_id: int) -> bool:
    return _live("trainings", training_id).where(m.Attachment.kind == "signin_sheet").exists()


def get(attachment_id: int, *, include_deleted: bool = False) -> AttachmentInfo:
    row = m.Attachment.get_or_none(m.Attachment.id == attachment_id)
    if row is None or (row.deleted and not include_deleted):
        raise RecordNotFound(f"没有编号为 {attachment_id} 的附件")
    return _info(row)


def content(attachment_id: int, *, include_deleted: bool = False) -> bytes:
    """The stored bytes, exactly as attached."""
    info = get(attachment_id, include_deleted=include_deleted)
    blob = m.AttachmentBlob.get(m.AttachmentBlob.sha256 == info.sha256)
    return bytes(blob.data)


def delete(attachment_id: int) -> None:
    """Move an attachment to the recycle bin (its blob stays for a restore)."""
    get(attachment_id)
    record_service.soft_delete(spec.ATTACHMENTS, attachment_id)


def purged(ledger_name: str, record_id: int) -> None:
    """After a purge (inside its transaction): a purged record's attachments go with it, and a
    blob no attachment refers to any more is deleted."""
    if ledger_name in OWNERS:
        A = m.Attachment
        A.delete().where(A.owner_ledger == ledger_name, A.owner_id == record_id).execute()
    elif ledger_name != spec.ATTACHMENTS.name:
        return
    used = m.Attachment.select(m.Attachment.blob)
    m.AttachmentBlob.delete().where(m.AttachmentBlob.id.not_in(used)).execute()


# --------------------------------------------------------------------------- saved copies


def _strip_exif(exif: Image.Exif) -> Image.Exif:
    exif.pop(_GPS_IFD, None)
    for tag in _DEVICE_TAGS:
        exif.pop(tag, None)
    try:
        inner = exif.get_ifd(_EXIF_IFD)
    except (KeyError, ValueError):
        inner = {}
    for tag in _DEVICE_EXIF_TAGS:
        inner.pop(tag, None)
    return exif


def _jpeg_without_location(data: bytes) -> bytes:
    """The JPEG with GPS and device tags out of its EXIF and its XMP packet dropped; the picture's
    own segments are copied byte for byte (no re-encoding)."""
    if not data.startswith(b"\xff\xd8"):
        return data
    out = bytearray(b"\xff\xd8")
    pos = 2
    with Image.open(io.BytesIO(data)) as image:
        exif = _strip_exif(image.getexif())
        new_exif = exif.tobytes() if len(exif) else b""
    while pos + 4 <= len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xDA or marker == 0xD9:  # start of scan: the rest is the picture
            break
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        segment = data[pos : pos + 2 + length]
        payload = segment[4:]
        if marker == 0xE1 and payload.startswith(b"Exif\x00\x00"):
            if new_exif and len(new_exif) + 2 <= 0xFFFF:
                out += b"\xff\xe1" + (len(new_exif) + 2).to_bytes(2, "big") + new_exif
        elif marker == 0xE1 and payload.startswith(_XMP_PREFIX):
            pass  # XMP repeats GPS and device fields
        else:
            out += segment
        pos += 2 + length
    out += data[pos:]
    return bytes(out)


def _png_without_location(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        if not image.getexif() and "XML:com.adobe.xmp" not in image.info:
            return data
        exif = _strip_exif(image.getexif())
        buffer = io.BytesIO()
        image.save(buffer, "PNG", exif=exif.tobytes() if len(exif) else b"")
        return buffer.getvalue()


def _heic_without_location(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        exif = _strip_exif(image.getexif())
        buffer = io.BytesIO()
        image.save(buffer, "HEIF", exif=exif.tobytes() if len(exif) else None, xmp=None)
        return buffer.getvalue()


def shareable(info: AttachmentInfo, data: bytes, keep: bool | None = None) -> bytes:
    """The bytes to hand out: photos without GPS and device EXIF unless the setting keeps them."""
    if keep if keep is not None else keep_location():
        return data
    if info.content_type == "jpeg":
        return _jpeg_without_location(data)
    if info.content_type == "png":
        return _png_without_location(data)
    if info.content_type == "heic":
        return _heic_without_location(data)
    return data


def save_copy(attachment_id: int, target: Path | str, keep: bool | None = None) -> Path:
    """Write the attachment to ``target`` through :func:`outputs.atomic_output` (private: scans
    of sign-in sheets carry names and signatures)."""
    info = get(attachment_id)
    data = shareable(info, content(attachment_id), keep)
    target = Path(target)
    with atomic_output(target, private=True) as temp, open(temp, "wb") as out:
        out.write(data)
    return target


def thumbnail(attachment_id: int, size: int = 160) -> bytes | None:
    """A PNG thumbnail of an image attachment, upright (EXIF orientation applied); None for
    other files."""
    info = get(attachment_id, include_deleted=True)
    if not info.is_image:
        return None
    return thumbnail_of(content(attachment_id, include_deleted=True), size)


def thumbnail_of(data: bytes, size: int = 160) -> bytes | None:
    try:
        image = open_image(data, "附件")
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upright = ImageOps.exif_transpose(image)
        upright.thumbnail((size, size))
        if upright.mode not in ("RGB", "RGBA", "L"):
            upright = upright.convert("RGBA")
        buffer = io.BytesIO()
        upright.save(buffer, "PNG")
        return buffer.getvalue()
    except (AttachmentError, OSError, ValueError, Image.DecompressionBombWarning):
        return None


def upright_jpeg(data: bytes, max_side: int = 1600) -> bytes | None:
    """An upright, GPS-free JPEG of a photo for a Word record (None when it cannot be read)."""
    try:
        image = open_image(data, "附件")
        upright = ImageOps.exif_transpose(image).convert("RGB")
        upright.thumbnail((max_side, max_side))
        buffer = io.BytesIO()
        upright.save(buffer, "JPEG", quality=88)
        return buffer.getvalue()
    except (AttachmentError, OSError, ValueError):
        return None
