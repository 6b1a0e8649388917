"""Serializer fields for refusing conflicting edits (agency.concurrency) in the API.

A record's answer carries its `edit_token`; a PATCH may send it back. When the record
changed since, the service refuses with 400 {"edit_token": [...]} and nothing is saved;
a PATCH without one is not checked (clients written before tokens existed)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agency.concurrency import edit_token

_READ_HELP = (
    "The version of this record: send it back as `edit_token` with a change, and the "
    "change is refused (400) if someone else changed the record in between."
)
_WRITE_HELP = (
    "The `edit_token` of the record as you read it. Optional: when given and the record "
    'has changed since, the answer is 400 {"edit_token": [...]} and nothing is saved.'
)


@extend_schema_field(OpenApiTypes.STR)
class EditTokenField(serializers.Field):
    """The record's edit token, read-only."""

    def __init__(self, **kwargs):
        kwargs.update(read_only=True, source="*")
        kwargs.setdefault("help_text", _READ_HELP)
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        return edit_token(value)


def edit_token_input() -> serializers.CharField:
    """The optional `edit_token` of a PATCH body."""
    return serializers.CharField(
        required=False, allow_blank=True, max_length=20, help_text=_WRITE_HELP
    )
