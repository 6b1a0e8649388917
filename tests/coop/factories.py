"""Builders for COOP tests. Plans and duties are written directly (tests of the rules call
the services themselves)."""

from datetime import date, datetime, time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from agency.roles import Role
from coop.demo import pdf_bytes
from coop.models import CoopPlan, EmergencyProcedure, KeyStaff, NotificationCriterion
from coop.quarters import Quarter
from tests.factories import make_user

PDF = pdf_bytes("Continuity of Operations Plan", ["Test office", "Version for tests"])


def pdf_upload(name: str = "plan.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def aware(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def make_plan(location, administrator, *, created_on: date | None = None, **fields) -> CoopPlan:
    """A plan (with a history row) created on `created_on` (default: long ago)."""
    created = aware(created_on or date(2024, 1, 15))
    plan = CoopPlan(
        work_location=location,
        senior_administrator=administrator,
        created_at=created,
        updated_at=created,
        **fields,
    )
    plan.save()
    return plan


def fill_plan(plan: CoopPlan) -> CoopPlan:
    """Give the plan key staff, the five procedures and whom to notify."""
    KeyStaff.objects.create(
        plan=plan, duty=KeyStaff.Duty.MANAGE_RESPONSE, name="Avery Santos", phone="860-555-0101"
    )
    KeyStaff.objects.create(
        plan=plan,
        duty=KeyStaff.Duty.MANAGE_RESPONSE,
        alternate=True,
        name="Chris Doyle",
        phone="860-555-0102",
    )
    for position, kind in enumerate(EmergencyProcedure.STANDARD):
        EmergencyProcedure.objects.create(
            plan=plan, kind=kind, procedure=f"What to do: {kind}.", position=position
        )
    NotificationCriterion.objects.create(
        plan=plan,
        audience=NotificationCriterion.Audience.EMERGENCY_SERVICE,
        who="911",
        contact="911",
        conditions="Fire, medical emergency.",
    )
    return plan


def make_opm(location, **fields):
    return make_user(Role.PERFORMANCE_MANAGEMENT, location=location, **fields)


def slug(day: date) -> str:
    return Quarter.of(day).slug
