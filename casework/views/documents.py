"""Casework pages: documents on a case or a person (court orders, reports, signed
plans, evaluations).

- Upload from the case page (`document_upload`) or the person page
  (`person_document_upload`): the case or person must be one the user can open (404
  otherwise) and change (403 for read-only roles).
- A document's page, its download and its removal go through
  casework.selectors.documents.access_document (404 for a document the user may not
  see, restricted ones included). Every download is logged (DocumentDownload, channel
  "page"); the file is streamed through Hearth, never from a public URL.
- A person's documents (`person_documents`) are a page, and a fragment the person page
  loads (casework/documents/_person_block.html).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from agency.forms import show_service_errors
from casework.forms.documents import DocumentForm, DocumentRemoveForm
from casework.models import CaseDocument, DocumentDownload
from casework.permissions import access_case, access_person
from casework.selectors import documents as selectors
from casework.selectors import rules as casework_rules
from casework.services import documents as services


def _kinds() -> str:
    return ", ".join(sorted(set(services.ALLOWED_TYPES.values())))


def _form(request, *, on_person: bool) -> DocumentForm:
    return DocumentForm(
        request.POST or None,
        request.FILES or None,
        max_mb=casework_rules().max_document_mb,
        kinds=_kinds(),
        on_person=on_person,
    )


def _require_upload(user) -> None:
    if not selectors.may_upload(user):
        raise PermissionDenied("Your role cannot add documents.")


def _upload(request, form: DocumentForm, **owner):
    """Validate and save; None when the form or the service refused it."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        return services.document_upload(
            actor=request.user,
            upload=data["file"],
            kind=data["kind"],
            title=data["title"],
            document_date=data["document_date"],
            visibility=data["visibility"],
            **owner,
        )
    except ValidationError as exc:
        show_service_errors(exc, form)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request, case_id: int):
    """Add a document to a case."""
    case = access_case(request.user, case_id, "change")
    _require_upload(request.user)
    form = _form(request, on_person=False)
    if request.method == "POST":
        document = _upload(request, form, case=case)
        if document is not None:
            messages.success(request, f"“{document.title}” added to case {case.number}.")
            return redirect(f"{reverse('casework:case_detail', args=[case.pk])}#documents")
    return render(
        request,
        "casework/documents/upload.html",
        {"form": form, "case": case, "person": None, "closed": case.status != case.Status.OPEN},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_document_upload(request, person_id: int):
    """Add a document to a person (e.g. a birth certificate, a medical evaluation)."""
    person = access_person(request.user, person_id)
    _require_upload(request.user)
    form = _form(request, on_person=True)
    if request.method == "POST":
        document = _upload(request, form, person=person)
        if document is not None:
            messages.success(request, f"“{document.title}” added to {person.full_name}'s record.")
            return redirect("casework:person_documents", pk=person.pk)
    return render(
        request,
        "casework/documents/upload.html",
        {"form": form, "case": None, "person": person, "closed": False},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def person_documents(request, pk: int):
    """A person's documents; `?fragment=1` (or an htmx request) answers the list alone,
    for the person page."""
    person = access_person(request.user, pk)
    context = {"person": person} | selectors.person_documents_context(person, user=request.user)
    fragment = request.htmx or request.GET.get("fragment")
    template = (
        "casework/documents/_person_list.html" if fragment else "casework/documents/person.html"
    )
    return render(request, template, context)


def _detail_page(request, document: CaseDocument, remove_form=None):
    user = request.user
    is_supervisor = selectors.supervises_document(user, document)
    return render(
        request,
        "casework/documents/detail.html",
        {
            "document": document,
            "case": document.case,
            "person": document.person,
            "may_remove": selectors.may_remove(user, document, supervisor=is_supervisor),
            "downloads": list(selectors.document_downloads(document)) if is_supervisor else None,
            "remove_form": remove_form or DocumentRemoveForm(),
        },
        status=400 if remove_form is not None else 200,
    )


@login_required
def document_detail(request, pk: int):
    """A document's details, its download link, and for the case's supervisors who
    downloaded it."""
    return _detail_page(request, selectors.access_document(request.user, pk))


def file_response(document: CaseDocument) -> FileResponse:
    """The document's bytes as an attachment, never cached by the browser."""
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.name,
        content_type=document.content_type or "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def document_download(request, pk: int):
    """Stream the file after the access check, and log the download."""
    document = selectors.access_document(request.user, pk)
    services.document_download_record(
        document=document, user=request.user, channel=DocumentDownload.Channel.PAGE
    )
    return file_response(document)


@login_required
@require_POST
def document_remove(request, pk: int):
    """Mark a document entered in error (the uploader or a supervisor): hidden, kept."""
    user = request.user
    document = selectors.access_document(user, pk)
    if not selectors.may_remove(user, document):
        raise PermissionDenied("Only the uploader or a supervisor removes a document.")
    form = DocumentRemoveForm(request.POST)
    if form.is_valid():
        try:
            services.document_remove(
                document=document, actor=user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            show_service_errors(exc, form)
        else:
            messages.success(request, f"“{document.title}” removed as entered in error.")
            if document.case_id:
                return redirect(
                    f"{reverse('casework:case_detail', args=[document.case_id])}#documents"
                )
            return redirect("casework:person_documents", pk=document.person_id)
    return _detail_page(request, document, form)


urlpatterns: list = [
    path("cases/<int:case_id>/documents/new/", document_upload, name="document_upload"),
    path(
        "people/<int:person_id>/documents/new/",
        person_document_upload,
        name="person_document_upload",
    ),
    path("people/<int:pk>/documents/", person_documents, name="person_documents"),
    path("documents/<int:pk>/", document_detail, name="document_detail"),
    path("documents/<int:pk>/download/", document_download, name="document_download"),
    path("documents/<int:pk>/remove/", document_remove, name="document_remove"),
]
