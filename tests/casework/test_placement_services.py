"""The rules of placements: days in care and the 15-of-22-months rule on hand-built
histories, the kin home-study flag, permanency decisions, and the services' checks."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from casework.models import Case, CaseworkRules, PermanencyDecision, Placement
from casework.selectors import placements as selectors
from casework.services import placements as services
from tests.casework.factories import add_member, make_person
from tests.casework.test_visit_services import make_family

NOW = "2026-11-23 10:00:00-05:00"
TODAY = date(2026, 11, 23)
FOSTER = Placement.Setting.FOSTER
KIN = Placement.Setting.KIN_UNLICENSED
THV = Placement.Setting.TRIAL_HOME_VISIT


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def family(personas):
    return make_family(personas.unit, personas.caseworker, opened_on=date(2024, 1, 6))


def span(start: date, end: date | None = None, setting=FOSTER, child_id=1, **fields):
    """An unsaved placement for the pure functions."""
    return Placement(child_id=child_id, setting=setting, start_date=start, end_date=end, **fields)


def placed(family, start: date, end: date | None = None, setting=FOSTER, child=None, **fields):
    """A saved placement, written directly (histories older than the rules allow)."""
    return Placement.objects.create(
        case=family.case,
        child=child or family.child,
        setting=setting,
        caregiver=fields.pop("caregiver", "The Smiths"),
        start_date=start,
        end_date=end,
        reason=fields.pop("reason", "Removed after the safety assessment."),
        **fields,
    )


def start(family, actor, **fields) -> Placement:
    return services.placement_start(
        **{
            "case": family.case,
            "actor": actor,
            "child": family.child,
            "setting": KIN,
            "caregiver": "Rosa Rivera (maternal aunt)",
            "address": "12 Elm Street, Hartford",
            "start_date": date(2026, 11, 2),
            "reason": "Aunt nearby; Leo keeps his school.",
        }
        | fields
    )


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- the definitions ------------------------------------------------------------------------


def test_the_window_is_22_calendar_months_and_the_threshold_457_days():
    assert selectors.months_before(TODAY, 22) == date(2025, 1, 23)
    assert selectors.window_days(TODAY) == 669  # 24 Jan 2025 to 23 Nov 2026
    assert selectors.months_before(date(2026, 12, 31), 10) == date(2026, 2, 28)
    assert selectors.months_before(date(2028, 3, 31), 1) == date(2028, 2, 29)
    assert selectors.THRESHOLD_DAYS == 457  # 15 x 30.44, rounded


def test_days_in_care_counts_both_ends_and_stops_at_the_window():
    window = selectors.window_days(TODAY)
    assert selectors.days_in_care([span(TODAY)], on=TODAY, window_days=window) == 1
    assert (
        selectors.days_in_care([span(date(2026, 11, 1), TODAY)], on=TODAY, window_days=window) == 23
    )
    # Placed five years ago: only the window counts.
    assert selectors.days_in_care([span(date(2021, 1, 1))], on=TODAY, window_days=window) == 669
    # Ended before the window, or starting after `on`: nothing.
    assert (
        selectors.days_in_care(
            [span(date(2023, 1, 1), date(2024, 12, 31)), span(date(2026, 12, 1))],
            on=TODAY,
            window_days=window,
        )
        == 0
    )


def test_overlapping_placements_count_once():
    change_day = date(2026, 6, 1)
    history = [
        span(date(2026, 1, 1), change_day),
        span(change_day, setting=KIN),
        span(date(2026, 3, 1), date(2026, 4, 1)),  # recorded twice by mistake, inside
    ]

    assert selectors.days_in_care(history, on=TODAY, window_days=669) == 327


def test_a_child_in_care_14_months_then_1_more_meets_the_rule():
    history = [span(selectors.months_before(TODAY, 14))]  # since 23 Sep 2025

    assert selectors.days_in_care(history, on=TODAY, window_days=669) == 427
    assert not selectors.in_care_15_of_22(1, history, today=TODAY)
    a_month_later = date(2026, 12, 23)
    assert selectors.in_care_15_of_22(1, history, today=a_month_later)


def test_two_placements_with_a_gap_add_up():
    history = [span(date(2025, 6, 1), date(2025, 9, 30)), span(date(2026, 1, 1))]

    assert selectors.days_in_care(history, on=TODAY, window_days=669) == 122 + 327
    assert not selectors.in_care_15_of_22(1, history, today=TODAY)
    eight_days_later = date(2026, 12, 1)
    assert (
        selectors.days_in_care(
            history, on=eight_days_later, window_days=selectors.window_days(eight_days_later)
        )
        == 457
    )
    assert selectors.in_care_15_of_22(1, history, today=eight_days_later)


def test_exactly_at_the_threshold():
    assert not selectors.in_care_15_of_22(1, [span(TODAY - timedelta(days=455))], today=TODAY)
    assert selectors.in_care_15_of_22(1, [span(TODAY - timedelta(days=456))], today=TODAY)


def test_a_trial_home_visit_does_not_count():
    history = [span(date(2025, 3, 1), date(2026, 1, 31)), span(date(2026, 1, 31), setting=THV)]

    assert selectors.days_in_care(history, on=TODAY, window_days=669) == 337
    assert not selectors.in_care_15_of_22(1, history, today=TODAY)
    as_foster = [history[0], span(date(2026, 1, 31))]
    assert selectors.in_care_15_of_22(1, as_foster, today=TODAY)


def test_a_placement_entered_in_error_does_not_count():
    history = [span(date(2025, 1, 1), entered_in_error=True)]

    assert selectors.days_in_care(history, on=TODAY, window_days=669) == 0
    assert not selectors.in_care_15_of_22(1, history, today=TODAY)


def test_only_the_childs_own_placements_count():
    history = [span(date(2025, 1, 1), child_id=2)]

    assert not selectors.in_care_15_of_22(1, history, today=TODAY)
    assert selectors.in_care_15_of_22(2, history, today=TODAY)


def test_the_rule_is_met_since_the_first_day_of_the_current_run():
    since = selectors.met_15_of_22_since([span(date(2025, 1, 1))], today=TODAY)

    assert since == date(2025, 1, 1) + timedelta(days=456)
    assert selectors.met_15_of_22_since([span(date(2026, 1, 1))], today=TODAY) is None


# --- the case page: home-study and 15-of-22 flags ----------------------------------------------


def kinds(context) -> list[str]:
    return [flag.kind for flag in context["placements_flags"]]


@pytest.mark.parametrize(
    ("rule", "days", "expected"),
    [
        (30, 30, "home_study_due"),
        (30, 31, "home_study_overdue"),
        (45, 31, "home_study_due"),
        (45, 45, "home_study_due"),
        (45, 46, "home_study_overdue"),
    ],
)
def test_home_study_is_overdue_after_the_rules_days(family, rule, days, expected):
    CaseworkRules.objects.update_or_create(pk=1, defaults={"kin_home_study_days": rule})
    placed(family, TODAY - timedelta(days=days), setting=KIN)

    context = selectors.case_placements_context(family.case, today=TODAY)

    assert kinds(context) == [expected]
    flag = context["placements_flags"][0]
    if expected == "home_study_overdue":
        assert flag.text == f"Home-study referral overdue for Leo ({days} days in kin care)"
        assert flag.css_class == "hearth-overdue"
    else:
        assert flag.text.startswith("Home-study referral for Leo due by")
        assert flag.css_class == "hearth-due-soon"


def test_no_home_study_flag_once_referred_ended_licensed_or_in_error(family):
    placed(family, date(2026, 1, 1), setting=KIN, home_study_referred_on=date(2026, 1, 20))
    placed(family, date(2026, 1, 1), date(2026, 9, 1), setting=KIN, child=family.sibling)
    placed(family, date(2026, 9, 1), setting=Placement.Setting.KIN_LICENSED, child=family.sibling)
    other = add_member(family.case, person=make_person(first_name="Kai")).person
    placed(family, date(2026, 9, 1), setting=KIN, child=other, entered_in_error=True)

    assert kinds(selectors.case_placements_context(family.case, today=TODAY)) == []


def test_a_permanency_decision_after_the_child_met_the_rule_clears_the_flag(personas, family, now):
    placed(family, date(2025, 1, 1))  # met the rule on 2 Apr 2026
    context = selectors.case_placements_context(family.case, today=TODAY)
    assert [f.text for f in context["placements_flags"]] == [
        "Leo: 15 of 22 months in care — petition or compelling reason needed"
    ]
    assert context["placements_children"][0].days_in_care_22 == 669

    services.permanency_decision_record(
        case=family.case,
        actor=personas.caseworker,
        child=family.child,
        kind=PermanencyDecision.Kind.COMPELLING_REASON,
        decided_on=date(2026, 4, 2),
        note="Reunification expected within three months; parents engaged in services.",
    )

    context = selectors.case_placements_context(family.case, today=TODAY)
    assert context["placements_flags"] == []
    assert len(context["placements_children"][0].decisions) == 1


def test_a_decision_before_the_child_met_the_rule_does_not_clear_it(personas, family, now):
    placed(family, date(2025, 1, 1))
    services.permanency_decision_record(
        case=family.case,
        actor=personas.caseworker,
        child=family.child,
        kind=PermanencyDecision.Kind.PETITION_FILED,
        decided_on=date(2026, 4, 1),
        note="Petition filed at Hartford Juvenile Court.",
    )

    assert kinds(selectors.case_placements_context(family.case, today=TODAY)) == ["fifteen_of_22"]


def test_case_context_lists_current_and_past_placements_per_child(family):
    first = placed(family, date(2026, 1, 1), date(2026, 6, 1), end_reason="Moved")
    current = placed(family, date(2026, 6, 1), setting=KIN, home_study_referred_on=TODAY)
    sibling = placed(family, date(2026, 10, 1), date(2026, 11, 1), child=family.sibling)

    children = selectors.case_placements_context(family.case, today=TODAY)["placements_children"]

    assert [c.child for c in children] == [family.child, family.sibling]
    leo, mia = children
    assert (leo.current, leo.past, leo.days_in_current) == (current, [first], 175)
    assert (mia.current, mia.past) == (None, [sibling])


def test_case_context_takes_three_queries_whatever_the_size(personas, django_assert_num_queries):
    small = make_family(personas.unit, personas.caseworker)
    placed(small, date(2026, 10, 1), setting=KIN)
    big = make_family(personas.unit, personas.caseworker)
    for n in range(10):
        child = add_member(big.case, person=make_person(first_name=f"Kid{n}")).person
        placed(big, date(2024, 1, 1), date(2025, 1, 1), child=child)
        placed(big, date(2025, 1, 1), setting=KIN, child=child)
        PermanencyDecision.objects.create(
            case=big.case,
            child=child,
            kind="petition_filed",
            decided_on=date(2026, 1, 1),
            note="Filed.",
            recorded_by=personas.caseworker,
        )
    CaseworkRules.objects.get_or_create(pk=1)

    for family in (small, big):
        with django_assert_num_queries(3):
            context = selectors.case_placements_context(family.case, today=TODAY)
            for row in context["placements_children"]:
                [d.recorded_by.get_full_name() for d in row.decisions]
                [p.child.full_name for p in row.past]


# --- the caseload ---------------------------------------------------------------------------


def test_placement_flags_for_a_page_of_cases(personas):
    overdue = make_family(personas.unit, personas.caseworker)
    placed(overdue, TODAY - timedelta(days=34), setting=KIN)
    long_in_care = make_family(personas.unit, personas.caseworker)
    placed(long_in_care, date(2025, 1, 1))
    fine = make_family(personas.unit, personas.caseworker)
    placed(fine, TODAY - timedelta(days=3), setting=KIN)  # due soon: not on the caseload
    closed = make_family(personas.unit, personas.caseworker, status="closed", closed_on=TODAY)
    placed(closed, TODAY - timedelta(days=40), setting=KIN)
    cases = [overdue.case, long_in_care.case, fine.case, closed.case]

    flags = selectors.placement_flags(cases, today=TODAY)

    assert flags == {
        overdue.case.pk: ["Home-study referral overdue for Leo (34 days in kin care)"],
        long_in_care.case.pk: [
            "Leo: 15 of 22 months in care — petition or compelling reason needed"
        ],
    }
    as_queryset = Case.objects.filter(pk__in=[c.pk for c in cases])
    assert selectors.placement_flags(as_queryset, today=TODAY) == flags
    assert selectors.placement_flags([], today=TODAY) == {}


def test_placement_flags_take_a_fixed_number_of_queries(personas, django_assert_num_queries):
    CaseworkRules.objects.get_or_create(pk=1)
    for size in (3, 30):
        ids = []
        for n in range(size):
            family = make_family(personas.unit, personas.caseworker)
            placed(family, TODAY - timedelta(days=40 + n), setting=KIN)
            placed(family, date(2025, 1, 1), child=family.sibling)
            ids.append(family.case.pk)
        page = Case.objects.filter(pk__in=ids).order_by("pk")[:size]
        with django_assert_num_queries(4):  # the page, placements, decisions, the rules
            flags = selectors.placement_flags(page, today=TODAY)
        assert len(flags) == size
        assert all(len(texts) == 2 for texts in flags.values())


# --- starting a placement ------------------------------------------------------------------------


def test_starting_a_placement_saves_it_with_its_author(personas, family, now):
    placement = start(family, personas.caseworker)

    placement.refresh_from_db()
    assert (placement.setting, placement.caregiver, placement.start_date) == (
        KIN,
        "Rosa Rivera (maternal aunt)",
        date(2026, 11, 2),
    )
    assert placement.end_date is None
    assert placement.history.get().history_user == personas.caseworker


def test_a_placement_starting_in_the_future_is_refused(personas, family, now):
    with pytest.raises(ValidationError) as excinfo:
        start(family, personas.caseworker, start_date=date(2026, 11, 24))

    assert "in the future" in errors_of(excinfo)["start_date"][0]
    assert not Placement.objects.exists()


def test_an_overlapping_placement_is_refused(personas, family, now):
    start(family, personas.caseworker)

    with pytest.raises(ValidationError) as excinfo:
        start(family, personas.caseworker, setting=FOSTER, start_date=date(2026, 11, 20))

    assert errors_of(excinfo)["start_date"] == [
        "Leo is already placed with Rosa Rivera (maternal aunt) since 2 Nov 2026: end that "
        "placement first, or record this as a change of placement."
    ]
    assert Placement.objects.count() == 1


def test_a_placement_overlapping_an_ended_one_is_refused_but_the_end_day_is_free(
    personas, family, now
):
    placed(family, date(2026, 1, 1), date(2026, 6, 1))

    with pytest.raises(ValidationError) as excinfo:
        start(family, personas.caseworker, start_date=date(2026, 5, 31))
    assert "overlaps" in errors_of(excinfo)["start_date"][0]

    start(family, personas.caseworker, start_date=date(2026, 6, 1))
    assert Placement.objects.count() == 2


def test_a_placement_entered_in_error_does_not_block_a_new_one(personas, family, now):
    placed(family, date(2026, 1, 1), entered_in_error=True)

    start(family, personas.caseworker)

    assert Placement.objects.count() == 2


def test_only_an_active_child_of_an_open_case_is_placed(personas, family, now):
    with pytest.raises(ValidationError) as excinfo:
        start(family, personas.caseworker, child=family.mother)
    assert "not an active child" in errors_of(excinfo)["child"][0]

    family.case.status, family.case.closed_on = "closed", TODAY
    family.case.save()
    with pytest.raises(ValidationError) as excinfo:
        start(family, personas.caseworker)
    assert "is closed" in errors_of(excinfo)[NON_FIELD_ERRORS][0]
    assert not Placement.objects.exists()


def test_a_placement_needs_a_setting_caregiver_and_reason(personas, family, now):
    with pytest.raises(ValidationError) as excinfo:
        start(family, personas.caseworker, setting="hotel", caregiver=" ", reason="")

    assert set(errors_of(excinfo)) == {"setting", "caregiver", "reason"}
    assert not Placement.objects.exists()


def test_a_change_of_placement_ends_the_current_one_the_day_the_next_starts(personas, family, now):
    first = start(family, personas.caseworker)

    second = services.placement_change(
        current=first,
        actor=personas.caseworker,
        setting=FOSTER,
        caregiver="The Smiths",
        start_date=date(2026, 11, 20),
        reason="Aunt's health.",
    )

    first.refresh_from_db()
    assert (first.end_date, first.end_reason) == (date(2026, 11, 20), "Change of placement")
    assert first.exit_reason == ""  # a move, not a leaving of care
    assert (second.start_date, second.case, second.child) == (
        date(2026, 11, 20),
        family.case,
        family.child,
    )


def test_a_refused_change_of_placement_saves_nothing(personas, family, now):
    first = start(family, personas.caseworker)

    with pytest.raises(ValidationError) as excinfo:
        services.placement_change(
            current=first,
            actor=personas.caseworker,
            setting=FOSTER,
            caregiver="The Smiths",
            start_date=date(2026, 11, 20),
            reason="",
        )

    assert "reason" in errors_of(excinfo)
    first.refresh_from_db()
    assert first.end_date is None
    assert Placement.objects.count() == 1


# --- ending, home study, entered in error -------------------------------------------------------


def test_ending_a_placement(personas, family, now):
    placement = start(family, personas.caseworker)

    services.placement_end(
        placement=placement,
        actor=personas.caseworker,
        end_date=date(2026, 11, 20),
        end_reason="Reunified with mother",
        exit_reason=Placement.ExitReason.REUNIFICATION,
    )

    placement.refresh_from_db()
    assert (placement.end_date, placement.end_reason, placement.exit_reason) == (
        date(2026, 11, 20),
        "Reunified with mother",
        "reunification",
    )


@pytest.mark.parametrize(
    ("exit_reason", "message"),
    [("", "Say why the child left care"), ("moved", "Choose one of the reasons")],
)
def test_ending_a_placement_needs_why_the_child_left_care(
    personas, family, now, exit_reason, message
):
    placement = start(family, personas.caseworker)

    with pytest.raises(ValidationError) as excinfo:
        services.placement_end(
            placement=placement,
            actor=personas.caseworker,
            end_date=date(2026, 11, 20),
            end_reason="Went home",
            exit_reason=exit_reason,
        )

    assert message in errors_of(excinfo)["exit_reason"][0]
    placement.refresh_from_db()
    assert (placement.end_date, placement.exit_reason) == (None, "")


@pytest.mark.parametrize(
    ("end_date", "end_reason", "field", "message"),
    [
        (date(2026, 11, 1), "Moved", "end_date", "on or after the day it starts"),
        (date(2026, 11, 24), "Moved", "end_date", "in the future"),
        (date(2026, 11, 20), "  ", "end_reason", "Say why"),
    ],
)
def test_ending_is_refused_before_the_start_in_the_future_or_without_a_reason(
    personas, family, now, end_date, end_reason, field, message
):
    placement = start(family, personas.caseworker)

    with pytest.raises(ValidationError) as excinfo:
        services.placement_end(
            placement=placement,
            actor=personas.caseworker,
            end_date=end_date,
            end_reason=end_reason,
            exit_reason="reunification",
        )

    assert message in errors_of(excinfo)[field][0]
    placement.refresh_from_db()
    assert (placement.end_date, placement.end_reason) == (None, "")


def test_a_placement_ends_once(personas, family, now):
    placement = placed(family, date(2026, 1, 1), date(2026, 2, 1))

    with pytest.raises(ValidationError) as excinfo:
        services.placement_end(
            placement=placement,
            actor=personas.caseworker,
            end_date=date(2026, 3, 1),
            end_reason="x",
            exit_reason="reunification",
        )

    assert "already ended on 1 Feb 2026" in errors_of(excinfo)[NON_FIELD_ERRORS][0]


def test_recording_the_home_study_referral(personas, family, now):
    placement = start(family, personas.caseworker)

    services.placement_record_home_study_referral(
        placement=placement, actor=personas.caseworker, referred_on=date(2026, 11, 10)
    )

    placement.refresh_from_db()
    assert placement.home_study_referred_on == date(2026, 11, 10)


def test_no_home_study_referral_on_a_licensed_placement(personas, family, now):
    placement = start(family, personas.caseworker, setting=FOSTER)

    with pytest.raises(ValidationError) as excinfo:
        services.placement_record_home_study_referral(
            placement=placement, actor=personas.caseworker, referred_on=date(2026, 11, 10)
        )

    assert "unlicensed kin placements only" in errors_of(excinfo)[NON_FIELD_ERRORS][0]
    placement.refresh_from_db()
    assert placement.home_study_referred_on is None


@pytest.mark.parametrize(
    ("referred_on", "message"),
    [
        (date(2026, 11, 1), "on or after the day the placement started"),
        (date(2026, 11, 24), "future"),
    ],
)
def test_home_study_referral_dates(personas, family, now, referred_on, message):
    placement = start(family, personas.caseworker)

    with pytest.raises(ValidationError) as excinfo:
        services.placement_record_home_study_referral(
            placement=placement, actor=personas.caseworker, referred_on=referred_on
        )

    assert message in errors_of(excinfo)["referred_on"][0]
    placement.refresh_from_db()
    assert placement.home_study_referred_on is None


def test_marking_a_placement_entered_in_error_keeps_it_and_says_why(personas, family, now):
    placement = start(family, personas.caseworker)

    services.placement_mark_entered_in_error(
        placement=placement, actor=personas.caseworker, reason="Wrong child."
    )

    placement.refresh_from_db()
    assert placement.entered_in_error is True
    assert placement.reason.startswith("Aunt nearby")
    assert placement.reason.endswith("Wrong child.")
    assert services.ENTERED_IN_ERROR_MARKER in placement.reason
    with pytest.raises(ValidationError):
        services.placement_mark_entered_in_error(
            placement=placement, actor=personas.caseworker, reason="Again."
        )
    with pytest.raises(ValidationError) as excinfo:
        services.placement_mark_entered_in_error(
            placement=placement, actor=personas.caseworker, reason=" "
        )
    assert "reason" in errors_of(excinfo)


# --- permanency decisions ------------------------------------------------------------------------


def decide(family, actor, **fields) -> PermanencyDecision:
    return services.permanency_decision_record(
        **{
            "case": family.case,
            "actor": actor,
            "child": family.child,
            "kind": PermanencyDecision.Kind.PETITION_FILED,
            "decided_on": date(2026, 11, 20),
            "note": "Filed at Hartford Juvenile Court, docket H12-CP26-000123.",
        }
        | fields
    )


def test_recording_a_permanency_decision(personas, family, now):
    decision = decide(family, personas.caseworker)

    decision.refresh_from_db()
    assert (decision.kind, decision.recorded_by) == ("petition_filed", personas.caseworker)
    assert decision.history.get().history_user == personas.caseworker


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"note": "  "}, "note"),
        ({"decided_on": date(2026, 11, 24)}, "decided_on"),
        ({"kind": "maybe"}, "kind"),
    ],
)
def test_a_permanency_decision_needs_a_note_a_past_date_and_a_kind(
    personas, family, now, fields, field
):
    with pytest.raises(ValidationError) as excinfo:
        decide(family, personas.caseworker, **fields)

    assert field in errors_of(excinfo)
    assert not PermanencyDecision.objects.exists()


def test_a_permanency_decision_is_for_a_child_of_the_case(personas, family, now):
    with pytest.raises(ValidationError) as excinfo:
        decide(family, personas.caseworker, child=family.mother)

    assert "not a child on this case" in errors_of(excinfo)["child"][0]
