"""Reads for documents on cases and people: who sees which document, the case page's
part, a person's documents, and the download log.

Who sees a document (`visible_documents`):
- on a case: whoever can open the case (casework.selectors.visible_cases);
- on a person: whoever can open the person (on a case they may see);
- a *restricted* document only its uploader, the case's supervisors (the unit's
  supervisor and the office's area administrator, as casework.selectors.supervises
  says) and superusers; on a person, the supervisors of the person's cases.
Documents removed as entered in error are hidden everywhere but Django admin.
Everything else answers 404, missing or forbidden alike.
"""

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from agency.permissions import access_object, user_role
from agency.roles import Role
from casework.models import Case, CaseDocument, CaseMember, DocumentDownload, Person
from casework.selectors import supervises, visible_cases, visible_people

Visibility = CaseDocument.Visibility
ADD_PERM = "casework.add_casedocument"
CHANGE_PERM = "casework.change_casedocument"
# The case page and a person's page list this many downloads for the supervisor.
RECENT_DOWNLOADS = 20


def _supervised_cases_q(user: Any, prefix: str = "") -> Q | None:
    """The condition on cases the user supervises (see casework.selectors.supervises),
    or None when they supervise none."""
    role = user_role(user)
    if role == Role.SUPERVISOR:
        return Q(**{f"{prefix}unit__supervisor": user})
    if role == Role.AREA_ADMINISTRATOR:
        return Q(**{f"{prefix}unit__work_location_id": user.staff.work_location_id})
    return None


def _restricted_scope(user: Any) -> Q:
    """The documents among the visible ones the user may also see when restricted."""
    if user.is_superuser:
        return Q()
    scope = Q(visibility=Visibility.CASE_TEAM) | Q(uploaded_by=user)
    on_case = _supervised_cases_q(user, "case__")
    if on_case is not None:
        people = CaseMember.objects.filter(_supervised_cases_q(user, "case__")).values("person_id")
        scope |= on_case | Q(case__isnull=True, person__in=people)
    return scope


def visible_documents(user: Any) -> QuerySet[CaseDocument]:
    """Documents the user may see and download (see the module's docstring)."""
    if not user.is_authenticated or not user.is_active:
        return CaseDocument.objects.none()
    on_visible = Q(case__in=visible_cases(user).values("pk")) | Q(
        case__isnull=True, person__in=visible_people(user).values("pk")
    )
    return CaseDocument.objects.filter(on_visible, removed_at__isnull=True).filter(
        _restricted_scope(user)
    )


def document_queryset(documents: QuerySet[CaseDocument]) -> QuerySet[CaseDocument]:
    """Documents with what their page and the API show."""
    return documents.select_related("case__unit", "person", "uploaded_by")


def access_document(user: Any, document_id: Any) -> CaseDocument:
    """One document the user may see, or 404."""
    return access_object(document_queryset(visible_documents(user)), document_id)


def supervises_document(user: Any, document: CaseDocument) -> bool:
    """Whether the user supervises the document's case or, for a document on a person,
    one of the person's cases (they see restricted documents and the download log)."""
    if user.is_superuser:
        return True
    if document.case_id is not None:
        return supervises(user, document.case)
    condition = _supervised_cases_q(user)
    if condition is None:
        return False
    return Case.objects.filter(condition, members__person_id=document.person_id).exists()


def may_remove(user: Any, document: CaseDocument, *, supervisor: bool | None = None) -> bool:
    """The uploader or a supervisor of the document removes it as entered in error.
    `supervisor`: supervises_document's answer, when the caller already knows it."""
    if not user.has_perm(CHANGE_PERM):
        return False
    if document.uploaded_by_id == user.pk:
        return True
    return supervises_document(user, document) if supervisor is None else supervisor


def may_upload(user: Any) -> bool:
    return user.has_perm(ADD_PERM)


def document_downloads(document: CaseDocument) -> QuerySet[DocumentDownload]:
    return DocumentDownload.objects.filter(document=document).select_related("user")


def case_documents_context(case: Case, *, user: Any, today: date) -> dict:
    """What the case page shows about documents, two queries at most:

    - case_documents: the case's documents the user may see, newest date first, each
      with `may_remove`;
    - case_document_downloads: for the case's supervisors, the latest downloads of the
      case's documents (who, which, when, how), else None;
    - can_upload_document: whether the user may add a document here."""
    is_supervisor = supervises(user, case)
    documents = CaseDocument.objects.filter(case=case, removed_at__isnull=True).select_related(
        "uploaded_by"
    )
    if not is_supervisor:
        documents = documents.filter(Q(visibility=Visibility.CASE_TEAM) | Q(uploaded_by=user))
    rows = list(documents)
    for document in rows:
        document.may_remove = may_remove(user, document, supervisor=is_supervisor)
    downloads = None
    if is_supervisor:
        downloads = list(
            DocumentDownload.objects.filter(document__case=case)
            .select_related("user", "document")
            .order_by("-at", "-pk")[:RECENT_DOWNLOADS]
        )
    return {
        "case_documents": rows,
        "case_document_downloads": downloads,
        "can_upload_document": case.status == Case.Status.OPEN
        and may_upload(user)
        and user.has_perm("casework.change_case"),
    }


def person_documents_context(person: Person, *, user: Any) -> dict:
    """A person's documents the user may see (on the person, not on their cases), with
    the latest downloads for the supervisors of the person's cases. A few queries."""
    documents = list(
        document_queryset(visible_documents(user).filter(person=person, case__isnull=True))
    )
    condition = _supervised_cases_q(user)
    is_supervisor = user.is_superuser or (
        condition is not None and Case.objects.filter(condition, members__person=person).exists()
    )
    for document in documents:
        document.may_remove = may_remove(user, document, supervisor=is_supervisor)
    downloads = None
    if is_supervisor:
        downloads = list(
            DocumentDownload.objects.filter(document__person=person, document__case__isnull=True)
            .select_related("user", "document")
            .order_by("-at", "-pk")[:RECENT_DOWNLOADS]
        )
    return {
        "person_documents": documents,
        "person_document_downloads": downloads,
        "can_upload_document": may_upload(user),
    }
