"""Demo documents, transfers and the provider directory (`manage.py seed`).

On top of the demo families casework.demo builds:
- the provider directory: 15 providers in Connecticut towns with their services (some
  evidence-based: Triple P, Multisystemic Therapy, Parent-Child Interaction Therapy,
  Functional Family Therapy; languages; a waitlist note; one provider and one service
  no longer offered), and the demo plans' services linked to the directory entries
  they name;
- documents on a few of the demo caseworker's cases and on one child (small valid PDFs
  built here), one restricted to the supervisor, and a few logged downloads;
- transfers of the demo supervisor's unit: one accepted (an investigation moved to the
  office's ongoing services unit as in-home services), one declined with a comment, and
  one from another office waiting for the supervisor's decision.
Deterministic for a given random generator; written with history rows.
"""

import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from agency import clock
from agency.models import Unit
from agency.roles import Role
from casework.audit import with_actor
from casework.models import (
    Case,
    CaseDocument,
    CaseMember,
    CaseTransfer,
    DocumentDownload,
    PlanService,
    Provider,
    ProviderService,
)

User = get_user_model()

# (name, phone, address, active, notes, [(type, evidence_based, model, languages,
# locations, capacity note, active)])
PROVIDERS = [
    ("Family Support Center", "860-555-0140", "45 Asylum Avenue, Hartford", True, "", [
        ("Parenting education (Triple P)", True, "Triple P", "English, Spanish",
         "Hartford, East Hartford, Manchester", "Openings this month", True),
        ("Intensive Family Preservation", True, "Homebuilders", "English, Spanish",
         "Hartford, Manchester", "Two openings a month", True),
        ("Fatherhood group", False, "", "English", "Hartford", "", False),
    ]),
    ("Community Health Network", "203-555-0171", "300 Church Street, New Haven", True, "", [
        ("Parenting education (Triple P)", True, "Triple P", "English, Spanish, Portuguese",
         "New Haven, Milford, Meriden", "", True),
        ("Intensive Family Preservation", True, "Homebuilders", "English, Spanish",
         "New Haven, Milford", "4-week waitlist", True),
    ]),
    ("Connecticut MST Partners", "860-555-0122", "12 Main Street, New Britain", True,
     "Referrals by phone; intake within 5 business days of acceptance.", [
        ("Multisystemic Therapy", True, "Multisystemic Therapy (MST)", "English, Spanish",
         "Hartford, New Britain, Meriden", "6-week waitlist", True),
    ]),
    ("Bridgeport Child Guidance Center", "203-555-0188", "180 Fairfield Avenue, Bridgeport",
     True, "", [
        ("Parent-Child Interaction Therapy", True, "Parent-Child Interaction Therapy (PCIT)",
         "English, Spanish", "Bridgeport, Norwalk", "", True),
        ("Child trauma therapy", True, "Trauma-Focused CBT", "English, Spanish",
         "Bridgeport", "", True),
    ]),
    ("Eastern Connecticut Family Services", "860-555-0133", "9 Broadway, Norwich", True, "", [
        ("Functional Family Therapy", True, "Functional Family Therapy (FFT)", "English",
         "Norwich, Willimantic, Middletown", "", True),
    ]),
    ("Capitol Region Recovery Services", "860-555-0155", "77 Park Road, Hartford", True, "", [
        ("Outpatient substance use treatment", False, "", "English, Spanish, Polish",
         "Hartford, East Hartford", "", True),
        ("Medication for opioid use disorder", False, "", "English, Spanish",
         "Hartford", "", True),
    ]),
    ("New Haven Domestic Violence Services", "203-555-0109", "", True,
     "Address withheld for safety; call the 24-hour line.", [
        ("Domestic violence advocacy and safety planning", False, "", "English, Spanish",
         "New Haven, Milford", "", True),
    ]),
    ("Waterbury Youth Mentoring", "203-555-0166", "50 Bank Street, Waterbury", True, "", [
        ("Mentoring", False, "", "English", "Waterbury, Torrington", "", True),
    ]),
    ("Danbury Healthy Families", "203-555-0192", "8 Elm Street, Danbury", True, "", [
        ("Home visiting for new parents", True, "Healthy Families America",
         "English, Spanish, Portuguese", "Danbury", "3-week waitlist", True),
    ]),
    ("Middletown Child Development Clinic", "860-555-0117", "21 Washington Street, Middletown",
     True, "", [
        ("Child-Parent Psychotherapy", True, "Child-Parent Psychotherapy (CPP)",
         "English, Spanish", "Middletown, Meriden", "", True),
    ]),
    ("Hartford Housing Assistance", "860-555-0100", "1 State Street, Hartford", True, "", [
        ("Housing search and rental assistance", False, "", "English, Spanish, Haitian Creole",
         "Hartford", "Funds for this quarter are committed", True),
    ]),
    ("Norwalk Family Resource Center", "203-555-0144", "33 Main Street, Norwalk", True, "", [
        ("Parent support group", False, "", "English, Spanish", "Norwalk", "", True),
    ]),
    ("Manchester Behavioral Health", "860-555-0161", "14 Hudson Street, Manchester", True, "", [
        ("Cognitive Behavioral Therapy (adults)", True, "Cognitive Behavioral Therapy",
         "English", "Manchester, Hartford", "", True),
    ]),
    ("Statewide Interpreter Services", "860-555-0199", "", True, "", [
        ("Interpreting, in person and by phone", False, "",
         "Spanish, Portuguese, Haitian Creole, Polish, American Sign Language", "Statewide",
         "Book 2 business days ahead", True),
    ]),
    ("Willimantic Family Support", "860-555-0128", "5 Main Street, Willimantic", False,
     "Closed; its families were referred to Eastern Connecticut Family Services.", [
        ("Parenting education", False, "", "English", "Willimantic", "", True),
    ]),
]  # fmt: skip


def seed_files(rng: random.Random) -> dict[str, int]:
    """Add the directory, documents and transfers; returns counts for the summary."""
    providers, services = _directory()
    linked = _link_plan_services(services)
    documents, downloads = _documents(rng)
    transfers = _transfers(rng)
    return {
        "providers": providers,
        "services": len(services),
        "linked": linked,
        "documents": documents,
        "downloads": downloads,
        "transfers": transfers,
    }


# --- the provider directory ----------------------------------------------------------------------


def _directory() -> tuple[int, dict[tuple[str, str], ProviderService]]:
    services: dict[tuple[str, str], ProviderService] = {}
    for name, phone, address, active, notes, offered in PROVIDERS:
        provider = Provider(name=name, phone=phone, address=address, active=active, notes=notes)
        if address:
            provider.email = f"referrals@{name.lower().replace(' ', '')[:20]}.example.org"
        provider.save()
        for kind, evidence, model, languages, locations, capacity, offered_now in offered:
            service = ProviderService.objects.create(
                provider=provider,
                service_type=kind,
                evidence_based=evidence,
                model_name=model,
                languages=languages,
                locations=locations,
                capacity_note=capacity,
                active=offered_now,
            )
            services[(name, kind)] = service
    return len(PROVIDERS), services


def _link_plan_services(services: dict[tuple[str, str], ProviderService]) -> int:
    """The demo plans name providers and services of the directory: link them."""
    linked = 0
    for (provider, kind), service in services.items():
        linked += PlanService.objects.filter(
            provider=provider, service_type=kind, provider_service__isnull=True
        ).update(provider_service=service)
    return linked


# --- documents ---------------------------------------------------------------------------------


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def demo_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF with a title and a few lines of text: small, valid, readable."""
    text = ["BT", "/F1 16 Tf", "72 720 Td", f"({_escape(title)}) Tj", "/F1 11 Tf"]
    for line in lines:
        text += ["0 -22 Td", f"({_escape(line)}) Tj"]
    text.append("ET")
    stream = "\n".join(text).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _document(*, owner: dict, uploader, kind: str, title: str, days_ago: int, restricted=False):
    today = clock.today()
    content = demo_pdf(
        title,
        [
            "Synthetic demo document (Hearth demo data).",
            f"Dated {today - timedelta(days=days_ago):%d %B %Y}.",
            "No real person is named in this file.",
        ],
    )
    document = CaseDocument(
        **owner,
        kind=kind,
        title=title,
        document_date=today - timedelta(days=days_ago),
        visibility=CaseDocument.Visibility.RESTRICTED
        if restricted
        else CaseDocument.Visibility.CASE_TEAM,
        name=f"{title.lower().replace(' ', '-')}.pdf",
        content_type="application/pdf",
        size=len(content),
        uploaded_by=uploader,
        uploaded_at=clock.now() - timedelta(days=max(days_ago - 2, 0), hours=3),
    )
    document.file.save(f"demo-{days_ago}-{len(content)}.pdf", ContentFile(content), save=False)
    with_actor(document, uploader).save()
    return document


def _documents(rng: random.Random) -> tuple[int, int]:
    caseworker = User.objects.filter(username="caseworker").first()
    supervisor = User.objects.filter(username="supervisor").first()
    if caseworker is None or supervisor is None:
        return 0, 0
    cases = list(
        Case.objects.filter(primary_worker=caseworker, status=Case.Status.OPEN).order_by("pk")[:3]
    )
    if not cases:
        return 0, 0
    made = [
        _document(owner={"case": cases[0]}, uploader=caseworker, kind="court_order",
                  title="Order of temporary custody", days_ago=rng.randint(20, 40)),
        _document(owner={"case": cases[0]}, uploader=caseworker, kind="signed_plan",
                  title="Signed case plan", days_ago=rng.randint(5, 15)),
    ]  # fmt: skip
    if len(cases) > 1:
        made.append(
            _document(
                owner={"case": cases[1]},
                uploader=supervisor,
                kind="evaluation",
                title="Psychological evaluation of the mother",
                days_ago=12,
                restricted=True,
            )
        )
    if len(cases) > 2:
        made.append(
            _document(
                owner={"case": cases[2]},
                uploader=caseworker,
                kind="school",
                title="School attendance record",
                days_ago=8,
            )
        )
    child = (
        CaseMember.objects.filter(case=cases[0], role=CaseMember.Role.CHILD)
        .select_related("person")
        .order_by("pk")
        .first()
    )
    if child is not None:
        made.append(
            _document(
                owner={"person": child.person},
                uploader=caseworker,
                kind="medical",
                title="Well-child visit summary",
                days_ago=30,
            )
        )
    now = clock.now()
    downloads = [
        DocumentDownload(document=made[0], user=caseworker, channel="page",
                         at=now - timedelta(days=3, hours=2)),
        DocumentDownload(document=made[0], user=supervisor, channel="page",
                         at=now - timedelta(days=1, hours=5)),
        DocumentDownload(document=made[-1], user=caseworker, channel="api",
                         at=now - timedelta(hours=20)),
    ]  # fmt: skip
    DocumentDownload.objects.bulk_create(downloads)
    return len(made), len(downloads)


# --- transfers ---------------------------------------------------------------------------------


def _caseworker_of(unit: Unit):
    return (
        User.objects.filter(is_active=True, staff__role=Role.CASEWORKER, staff__unit=unit)
        .order_by("pk")
        .first()
    )


def _backdate(transfer: CaseTransfer, moments) -> None:
    """Give the history rows the times the steps happened (the seed writes them now)."""
    rows = list(transfer.history.order_by("history_id"))
    for row, moment in zip(rows, moments, strict=False):
        type(row).objects.filter(pk=row.pk).update(history_date=moment)


def _transfers(rng: random.Random) -> int:
    supervisor = User.objects.filter(username="supervisor").first()
    home = Unit.objects.filter(supervisor=supervisor).select_related("work_location").first()
    if supervisor is None or home is None:
        return 0
    others = (
        Unit.objects.filter(active=True, supervisor__isnull=False)
        .exclude(pk=home.pk)
        .select_related("work_location", "supervisor")
        .order_by("work_location__name", "name", "pk")
    )
    ongoing = next(
        (
            u
            for u in others
            if u.work_location_id == home.work_location_id and u.name.startswith("Ongoing")
        ),
        None,
    ) or next((u for u in others if u.work_location_id == home.work_location_id), None)
    away = [u for u in others if u.work_location_id != home.work_location_id]
    cases = list(
        Case.objects.filter(unit=home, status=Case.Status.OPEN)
        .exclude(primary_worker__username="caseworker")
        .order_by("pk")
    )
    now = clock.now()
    made = 0
    # Accepted: an investigation goes to ongoing services as in-home services.
    investigations = [c for c in cases if c.case_type == Case.Type.INVESTIGATION]
    worker = _caseworker_of(ongoing) if ongoing else None
    if (investigations or cases) and ongoing is not None and worker is not None:
        case = rng.choice(investigations or cases)
        cases.remove(case)
        asked, decided = now - timedelta(days=20, hours=3), now - timedelta(days=18, hours=1)
        transfer = CaseTransfer(
            case=case,
            from_unit=home,
            to_unit=ongoing,
            new_case_type=Case.Type.IN_HOME if case.case_type != Case.Type.IN_HOME else "",
            summary="Investigation complete: allegations of neglect substantiated for the "
            "younger child. Mother engaged with the safety plan; the grandmother supports "
            "daily. Needs in-home services: parenting education and school attendance. "
            "Next visit due this month.",
            requested_by=supervisor,
            requested_at=asked,
        )
        with_actor(transfer, supervisor).save()
        case.unit = ongoing
        case.primary_worker = worker
        case.secondary_worker = None
        if transfer.new_case_type:
            case.case_type = transfer.new_case_type
        with_actor(case, ongoing.supervisor).save(
            update_fields=["unit", "primary_worker", "secondary_worker", "case_type"]
        )
        transfer.status = CaseTransfer.Status.ACCEPTED
        transfer.decided_by = ongoing.supervisor
        transfer.decided_at = decided
        transfer.decision_comment = "Accepted; first home visit scheduled this week."
        transfer.new_primary_worker = worker
        transfer.version = 2
        with_actor(transfer, ongoing.supervisor).save()
        _backdate(transfer, [asked, decided])
        made += 1
    # Declined: another office's unit has no capacity.
    if cases and away:
        case = cases.pop(0)
        to_unit = rng.choice([u for u in away if u.name.startswith("Ongoing")] or away)
        asked, decided = now - timedelta(days=9, hours=4), now - timedelta(days=8)
        transfer = CaseTransfer(
            case=case,
            from_unit=home,
            to_unit=to_unit,
            summary="The family moved to the receiving office's area last month; the "
            "children are enrolled in school there. Services continue.",
            requested_by=supervisor,
            requested_at=asked,
        )
        with_actor(transfer, supervisor).save()
        transfer.status = CaseTransfer.Status.DECLINED
        transfer.decided_by = to_unit.supervisor
        transfer.decided_at = decided
        transfer.decision_comment = (
            "The family's lease there starts next month; ask again once they have moved."
        )
        transfer.version = 2
        with_actor(transfer, to_unit.supervisor).save()
        _backdate(transfer, [asked, decided])
        made += 1
    # Waiting: a case from another office, for the demo supervisor's decision.
    colleague = User.objects.filter(username="caseworker2").select_related("staff").first()
    colleague_unit = getattr(getattr(colleague, "staff", None), "unit_id", None)
    sender = (
        next((u for u in away if u.pk == colleague_unit), None)
        or next((u for u in away if u.name == home.name), None)
        or (away[0] if away else None)
    )
    incoming = (
        Case.objects.filter(unit=sender, status=Case.Status.OPEN).order_by("pk").first()
        if sender is not None
        else None
    )
    if incoming is not None:
        asked = now - timedelta(days=1, hours=2)
        transfer = CaseTransfer(
            case=incoming,
            from_unit=sender,
            to_unit=home,
            summary="The family moved to Hartford two weeks ago (new address on the case). "
            "Safety plan in place; the mother attends parenting classes. Monthly visits are "
            "up to date; the next is due by the end of the month.",
            requested_by=sender.supervisor,
            requested_at=asked,
        )
        with_actor(transfer, sender.supervisor).save()
        _backdate(transfer, [asked])
        made += 1
    return made
