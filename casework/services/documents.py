"""Writes for documents on cases and people: upload, removal as entered in error, and
the log of every download.

Files go through Django's storage API (the FileField's storage: the local MEDIA_ROOT in
development, whatever STORAGES["default"] names in production) and are never served
from a public URL: casework.views.documents and casework.api.documents stream them
after the access check and log each download here, as casework.audit logs case views.

An upload is checked before anything is stored (agency.uploads.check_upload: size up to
CaseworkRules.max_document_mb, an allowed type, and for PDFs, images and Office files
the signature their first bytes must carry): a refused file leaves no row and no file.
"""

import os
import uuid
from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from agency import clock
from agency.uploads import DOCUMENTS, check_upload, stored_name
from casework.audit import with_actor
from casework.models import Case, CaseDocument, DocumentDownload, Person
from casework.selectors import documents as selectors
from casework.selectors import rules as casework_rules

Visibility = CaseDocument.Visibility
ALLOWED_TYPES = DOCUMENTS
REMOVED_PREFIX = "Entered in error: "
# The reason goes in the history row's change reason (100 characters with the prefix).
REASON_MAX = 100 - len(REMOVED_PREFIX)


def max_document_bytes() -> int:
    """The largest document accepted (CaseworkRules.max_document_mb)."""
    return casework_rules().max_document_mb * 1048576


def _storage_name(upload: UploadedFile) -> str:
    """A random file name keeping the extension: the stored path never carries the
    family's name or anything else a user typed (the original name is kept in `name`)."""
    extension = os.path.splitext(stored_name(upload))[1].lower()
    if not extension[1:].isalnum() or len(extension) > 10:
        extension = ""
    return f"{uuid.uuid4().hex}{extension}"


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def document_check(
    *,
    kind: str,
    title: str,
    document_date: Any,
    visibility: str,
    upload: UploadedFile | None,
    case: Case | None = None,
) -> str:
    """Every rule an upload must meet, as one field map of errors (nothing stored).
    Returns the file's content type."""
    errors: dict[str, list[str]] = {}
    if case is not None and case.status != Case.Status.OPEN:
        errors[NON_FIELD_ERRORS] = [f"Case {case.number} is closed; documents cannot be added."]
    if kind not in CaseDocument.Kind.values:
        errors["kind"] = ["Choose the kind of document."]
    title = (title or "").strip()
    if not title:
        errors["title"] = ["Give the document a title, e.g. “Order of temporary custody”."]
    elif len(title) > 200:
        errors["title"] = ["Keep the title to 200 characters."]
    day = _as_date(document_date)
    if document_date in (None, ""):
        errors["document_date"] = ["Enter the date on the document."]
    elif day is None:
        errors["document_date"] = ["Enter the date on the document as a date (YYYY-MM-DD)."]
    elif day > clock.today():
        errors["document_date"] = ["The date on the document cannot be in the future."]
    if visibility not in Visibility.values:
        errors["visibility"] = ["Choose who may see the document."]
    content_type = ""
    if upload is None:
        errors["file"] = ["Choose the file to upload."]
    else:
        try:
            content_type = check_upload(
                upload, field="file", allowed=ALLOWED_TYPES, max_bytes=max_document_bytes()
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return content_type


@transaction.atomic
def document_upload(
    *,
    actor: Any,
    upload: UploadedFile | None,
    kind: str,
    title: str,
    document_date: Any,
    visibility: str = Visibility.CASE_TEAM,
    case: Case | None = None,
    person: Person | None = None,
) -> CaseDocument:
    """Keep a document on a case or on a person: its kind, title, the date on it and
    who may see it (everyone who can open the case, or restricted to the uploader and
    the case's supervisors). Callers check that the actor may open the case or person."""
    if (case is None) == (person is None):
        raise ValueError("A document belongs to a case or to a person, not both.")
    if not actor.has_perm(selectors.ADD_PERM):
        raise PermissionDenied("Your role cannot add documents.")
    content_type = document_check(
        kind=kind,
        title=title,
        document_date=document_date,
        visibility=visibility,
        upload=upload,
        case=case,
    )
    assert upload is not None  # document_check refuses a missing file
    document = CaseDocument(
        case=case,
        person=person,
        kind=kind,
        title=title.strip(),
        document_date=_as_date(document_date),
        visibility=visibility,
        name=stored_name(upload),
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
        uploaded_at=clock.now(),
    )
    document.file.save(_storage_name(upload), upload, save=False)
    try:
        with_actor(document, actor).save()
    except Exception:
        document.file.delete(save=False)  # no file without its row
        raise
    return document


@transaction.atomic
def document_remove(*, document: CaseDocument, actor: Any, reason: str) -> CaseDocument:
    """Mark a document entered in error (uploaded to the wrong case, the wrong file):
    hidden from the pages and the API, never deleted; the reason goes in its history.
    The uploader or a supervisor of the case (or of the person's cases) removes it."""
    locked = (
        CaseDocument.objects.select_for_update(of=("self",))
        .select_related("case__unit")
        .get(pk=document.pk)
    )
    if not selectors.may_remove(actor, locked):
        raise PermissionDenied("Only the uploader or a supervisor removes a document.")
    errors: dict[str, list[str]] = {}
    if locked.removed_at is not None:
        errors[NON_FIELD_ERRORS] = ["This document was already removed."]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ["Say why it is removed, e.g. “Uploaded to the wrong case”."]
    elif len(reason) > REASON_MAX:
        errors["reason"] = [f"Keep the reason to {REASON_MAX} characters."]
    if errors:
        raise ValidationError(errors)
    locked.removed_at = clock.now()
    locked._change_reason = REMOVED_PREFIX + reason
    with_actor(locked, actor).save(update_fields=["removed_at"])
    return locked


def document_download_record(
    *, document: CaseDocument, user: Any, channel: str
) -> DocumentDownload:
    """Log one download (who, which document, when, page or API), like a case view.
    The caller has checked access (selectors.access_document)."""
    if channel not in DocumentDownload.Channel.values:
        raise ValueError(f"Unknown download channel {channel!r}.")
    return DocumentDownload.objects.create(
        document=document, user=user, channel=channel, at=clock.now()
    )
