"""The role groups' quality permissions (agency.roles) and a CFSR-style review instrument:
the seven outcomes (Safety 1-2, Permanency 1-2, Well-Being 1-3) and their 18 items, in
the federal Child and Family Services Reviews' own words, shortened. Editable in admin."""

from django.db import migrations

from agency.roles import sync_role_groups

NAME = "CFSR-style case review"

OUTCOMES = [
    ("Safety 1", "Children are, first and foremost, protected from abuse and neglect.", [
        (1, "Timeliness of initiating investigations of reports of child maltreatment", [
            "Was the response to the report initiated, and face-to-face contact made with the "
            "child, within the time frames the agency's policy requires?",
        ]),
    ]),
    ("Safety 2", "Children are safely maintained in their homes whenever possible and "
     "appropriate.", [
        (2, "Services to the family to protect the child in the home and prevent removal "
         "or re-entry into care", [
            "Did the agency make concerted efforts to provide services to the family to "
            "prevent the children's entry into care or re-entry after reunification?",
        ]),
        (3, "Risk and safety assessment and management", [
            "Did the agency make concerted efforts to assess and address the risk and "
            "safety concerns for the child in the home or in care?",
            "Was a safety plan developed and monitored when safety concerns were present?",
        ]),
    ]),
    ("Permanency 1", "Children have permanency and stability in their living situations.", [
        (4, "Stability of placement", [
            "Is the child's current placement setting stable, and were any changes in "
            "placement planned to achieve the case goals?",
        ]),
        (5, "Permanency goal for the child", [
            "Was the child's permanency goal established timely and appropriate to the "
            "child's needs and the case circumstances?",
        ]),
        (6, "Achieving reunification, guardianship, adoption or another planned permanent "
         "living arrangement", [
            "Did the agency and the court make concerted efforts to achieve the permanency "
            "goal in a timely manner?",
        ]),
    ]),
    ("Permanency 2", "The continuity of family relationships and connections is preserved "
     "for children.", [
        (7, "Placement with siblings", [
            "Was the child placed with siblings in care, unless separation was necessary "
            "to meet a sibling's needs?",
        ]),
        (8, "Visiting with parents and siblings in care", [
            "Did the agency make concerted efforts to ensure visits between the child and "
            "the mother, father and siblings were frequent enough and of good quality?",
        ]),
        (9, "Preserving connections", [
            "Did the agency make concerted efforts to maintain the child's connections to "
            "neighbourhood, community, faith, extended family, tribe, school and friends?",
        ]),
        (10, "Relative placement", [
            "Did the agency make concerted efforts to place the child with relatives when "
            "appropriate?",
        ]),
        (11, "Relationship of the child in care with parents", [
            "Did the agency make concerted efforts to promote, support or maintain a "
            "positive relationship between the child in care and the mother and father?",
        ]),
    ]),
    ("Well-Being 1", "Families have enhanced capacity to provide for their children's "
     "needs.", [
        (12, "Needs and services of child, parents and foster parents", [
            "Did the agency assess the needs of the child, the parents and the foster "
            "parents, and provide appropriate services to meet them?",
        ]),
        (13, "Child and family involvement in case planning", [
            "Did the agency make concerted efforts to involve the parents and the child "
            "(when developmentally appropriate) in case planning?",
        ]),
        (14, "Caseworker visits with the child", [
            "Were the frequency and quality of visits between the caseworker and the child "
            "sufficient to ensure safety, permanency and well-being?",
        ]),
        (15, "Caseworker visits with parents", [
            "Were the frequency and quality of visits between the caseworker and the "
            "mother and father sufficient to ensure safety, permanency and well-being?",
        ]),
    ]),
    ("Well-Being 2", "Children receive appropriate services to meet their educational "
     "needs.", [
        (16, "Educational needs of the child", [
            "Did the agency assess the child's educational needs and address them in case "
            "planning and management?",
        ]),
    ]),
    ("Well-Being 3", "Children receive adequate services to meet their physical and mental "
     "health needs.", [
        (17, "Physical health of the child", [
            "Did the agency address the physical health needs of the child, including "
            "dental health?",
        ]),
        (18, "Mental and behavioral health of the child", [
            "Did the agency address the mental and behavioral health needs of the child?",
        ]),
    ]),
]  # fmt: skip


def add_instrument(apps, schema_editor):
    Instrument = apps.get_model("quality", "ReviewInstrument")
    Outcome = apps.get_model("quality", "ReviewOutcome")
    Item = apps.get_model("quality", "ReviewItem")
    instrument, created = Instrument.objects.get_or_create(
        name=NAME,
        defaults={
            "description": "The federal Child and Family Services Review's outcomes and "
            "items. Each item is rated Strength, Area Needing Improvement or Not "
            "Applicable; an outcome is substantially achieved when every applicable item "
            "is a strength, not achieved when none is, and partially achieved otherwise."
        },
    )
    if not created:
        return
    for order, (code, statement, items) in enumerate(OUTCOMES):
        outcome = Outcome.objects.create(
            instrument=instrument, code=code, statement=statement, order=order
        )
        for number, title, questions in items:
            Item.objects.create(
                outcome=outcome, number=number, title=title, questions="\n".join(questions)
            )


def remove_instrument(apps, schema_editor):
    apps.get_model("quality", "ReviewInstrument").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("quality", "0001_initial")]

    operations = [
        migrations.RunPython(add_instrument, remove_instrument),
        migrations.RunPython(sync_role_groups, migrations.RunPython.noop),
    ]
