"""Casework admin: people, relationships, diligent searches."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from casework.models import Person


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["last_name", "first_name", "date_of_birth", "sex"]
    search_fields = ["last_name", "first_name"]
