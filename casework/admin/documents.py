"""Casework admin: documents on cases and people, and their download log.

Read-only: documents are uploaded and removed (entered in error) on the pages or through
the API, where the size, type and access rules live. The file is never linked from a
public URL: the admin links to Hearth's access-checked, logged download. Removed
documents stay listed here (filter "Removed"), with their history.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from casework.models import CaseDocument, DocumentDownload

DOCUMENT_FIELDS = [
    "case", "person", "kind", "title", "document_date", "visibility", "name",
    "content_type", "size", "uploaded_by", "uploaded_at", "removed_at",
]  # fmt: skip


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DocumentDownloadInline(_ReadOnly, admin.TabularInline):
    model = DocumentDownload
    extra = 0
    can_delete = False
    fields = readonly_fields = ["at", "user", "channel"]
    ordering = ["-at"]


@admin.register(CaseDocument)
class CaseDocumentAdmin(_ReadOnly, SimpleHistoryAdmin):
    list_display = ["title", "kind", "case", "person", "document_date", "visibility",
                    "uploaded_by", "uploaded_at", "removed_at"]  # fmt: skip
    list_filter = ["kind", "visibility", ("removed_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "name", "case__number", "person__last_name"]
    list_select_related = ["case", "person", "uploaded_by"]
    date_hierarchy = "uploaded_at"
    fields = readonly_fields = [*DOCUMENT_FIELDS, "download"]
    inlines = [DocumentDownloadInline]

    @admin.display(description="File")
    def download(self, document: CaseDocument):
        if document.removed_at:
            return f"{document.name} (removed as entered in error; kept in storage)"
        url = reverse("casework:document_download", args=[document.pk])
        return format_html('<a href="{}">Download {}</a> (logged)', url, document.name)


@admin.register(DocumentDownload)
class DocumentDownloadAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ["at", "user", "document", "channel"]
    list_filter = ["channel"]
    search_fields = ["document__title", "user__username", "user__last_name"]
    list_select_related = ["user", "document"]
    date_hierarchy = "at"
    fields = readonly_fields = ["document", "user", "channel", "at"]
