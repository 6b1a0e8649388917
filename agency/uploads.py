"""Checking an uploaded file before Hearth keeps it: its size, its declared type and, for
the types that have one, the signature its first bytes must carry (a file renamed to
.pdf is refused). Every app's upload services call `check_upload` inside their
transaction, so a refused file leaves nothing behind.
"""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

PDF = {"application/pdf": "PDF"}
DOCUMENTS = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG image",
    "image/png": "PNG image",
    "image/tiff": "TIFF image",
    "text/plain": "text",
    "text/csv": "CSV",
    "application/msword": "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "application/vnd.ms-excel": "Excel workbook",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel workbook",
}

# What a file of each type starts with; types not listed are not sniffed.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/tiff": (b"II*\x00", b"MM\x00*"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (b"PK\x03\x04",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (b"PK\x03\x04",),
}


def content_type_of(upload: UploadedFile) -> str:
    return (upload.content_type or "").split(";")[0].strip().lower()


def check_upload(
    upload: UploadedFile, *, field: str, allowed: dict[str, str], max_bytes: int
) -> str:
    """Raise a ValidationError on `field` for a file that is too big, of a type not in
    `allowed` (content type → name in words), or whose content does not match its type.
    Returns the content type."""
    name = (upload.name or "file").rsplit("/", 1)[-1]
    if upload.size > max_bytes:
        raise ValidationError(
            {
                field: [
                    f"{name} is {upload.size / 1048576:.1f} MB; the limit is "
                    f"{max_bytes / 1048576:g} MB."
                ]
            }
        )
    if upload.size == 0:
        raise ValidationError({field: [f"{name} is empty."]})
    content_type = content_type_of(upload)
    kinds = ", ".join(sorted(set(allowed.values())))
    if content_type not in allowed:
        raise ValidationError(
            {field: [f"{name}: files of this type are not accepted (allowed: {kinds})."]}
        )
    signatures = _SIGNATURES.get(content_type)
    if signatures:
        upload.seek(0)
        head = upload.read(8)
        upload.seek(0)
        if not head.startswith(signatures):
            raise ValidationError(
                {field: [f"{name} is not a real {allowed[content_type]} file (allowed: {kinds})."]}
            )
    return content_type


def stored_name(upload: UploadedFile, *, limit: int = 200) -> str:
    """The file's own name, without any path a browser sent, cut to `limit`."""
    return (upload.name or "file").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:limit]
