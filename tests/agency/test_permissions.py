"""Who may open what: every page refuses the anonymous visitor, every workspace refuses
the roles that do not use it, every API endpoint refuses the anonymous and the role-less,
and the gatekeeper (agency.permissions) answers 404 for anything out of scope."""

import re
from datetime import date
from urllib.parse import quote

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.http import Http404
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from guardian.shortcuts import assign_perm, remove_perm

from agency import selectors, services
from agency.models import Notification
from agency.permissions import access_notification, access_unit
from agency.roles import Role
from agency.workspaces import WORKSPACES
from tests.factories import make_unit, make_user

# --- every page of the HTML app refuses the anonymous visitor -----------------------------

# (URL name, needs a notification id, method): the agency's own pages, checked in detail;
# every page of every app is also walked by test_every_page_sends_anonymous_to_login.
HTML_PAGES = [
    ("home", False, "get"),
    ("calendar", False, "get"),
    ("notifications", False, "get"),
    ("notifications_read_all", False, "post"),
    ("notification_open", True, "get"),
    ("notification_read", True, "post"),
    ("password_change", False, "get"),
    ("password_change_done", False, "get"),
    ("casework:caseload", False, "get"),
    ("quality:dashboard", False, "get"),
    ("quality:reviews", False, "get"),
    ("quality:data_requests", False, "get"),
    ("ombudsman:queue", False, "get"),
    ("coop:registry", False, "get"),
]

# Pages anyone may open: logging in and out, the load balancer's health check, and the
# Ombudsman's public web form with its confirmation (tests/ombudsman/test_public_form.py).
PUBLIC_PAGES = {
    "login",
    "logout",
    "healthz",
    "ombudsman:public_form",
    "ombudsman:public_thanks",
}
# The token endpoint is how a client logs in: it takes a username and password.
PUBLIC_API = {"api-token"}


def _named_routes(patterns, prefix="", namespace=None):
    """(route, "namespace:name") for every named URL pattern under `patterns`."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            if namespace and inner:
                inner = f"{namespace}:{inner}"
            yield from _named_routes(
                pattern.url_patterns, prefix + str(pattern.pattern), inner or namespace
            )
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield prefix + str(pattern.pattern), name


def _dummy_kwargs(route: str) -> dict | None:
    """Arguments that fill a route's parameters (ids 1, a date), or None for DRF's
    format-suffix duplicates."""
    names = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)
    kwargs = {}
    for plain, regex in names:
        name = plain or regex
        if name == "format":
            return None
        kwargs[name] = "2027-02-16" if name == "date" else 1
    return kwargs


def _every_route(api: bool) -> list[tuple[str, str]]:
    """(URL name, path) of every named route of the app (api=False) or the API."""
    routes = {}
    for route, name in _named_routes(get_resolver().url_patterns):
        if route.startswith("admin/") or name in PUBLIC_PAGES | PUBLIC_API:
            continue
        if route.startswith("api/") != api:
            continue
        kwargs = _dummy_kwargs(route)
        if kwargs is not None:
            routes[name] = reverse(name, kwargs=kwargs)
    return sorted(routes.items())


@pytest.mark.parametrize(("name", "path"), _every_route(api=False))
def test_every_page_sends_anonymous_to_login(client, db, name, path):
    """Every page of every app, found by walking the URL configuration: a new page
    cannot forget its login check."""
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert response.status_code in (302, 405), (name, method, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), name


@pytest.mark.parametrize(("name", "path"), _every_route(api=True))
def test_every_api_endpoint_refuses_anonymous_and_the_role_less(client, personas, name, path):
    for method in ("get", "post"):
        assert getattr(client, method)(path).status_code == 403, (name, method)
    client.force_login(personas.outsider)
    for method in ("get", "post"):
        assert getattr(client, method)(path).status_code == 403, (name, method, "outsider")


@pytest.fixture
def someones_notification(personas):
    return Notification.objects.create(
        recipient=personas.caseworker, kind="test", subject="Visit due", link="/calendar/"
    )


@pytest.mark.parametrize(("name", "needs_id", "method"), HTML_PAGES)
def test_anonymous_is_sent_to_the_login_page(client, someones_notification, name, needs_id, method):
    args = [someones_notification.pk] if needs_id else []
    path = reverse(name, args=args)

    response = getattr(client, method)(path)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(path)}"
    someones_notification.refresh_from_db()
    assert someones_notification.read_at is None


def test_health_check_needs_no_login(client, db):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.content == b"ok"


# --- workspaces: the roles in agency.workspaces and nobody else ---------------------------

WORKSPACE_ROLE_CASES = [
    pytest.param(workspace, role, id=f"{workspace.key}-{role.value}")
    for workspace in WORKSPACES
    for role in Role
]


@pytest.mark.parametrize(("workspace", "role"), WORKSPACE_ROLE_CASES)
def test_workspace_opens_only_for_its_roles(client, user_with_role, workspace, role):
    client.force_login(user_with_role(role))

    response = client.get(reverse(workspace.url_name))

    if role in workspace.roles:
        assert response.status_code == 200
        assert workspace.label in response.text
    else:
        assert response.status_code == 403
        assert "You do not have access to this page" in response.text


@pytest.mark.parametrize("workspace", WORKSPACES, ids=lambda w: w.key)
def test_outsider_without_role_is_refused_every_workspace(client, personas, workspace):
    client.force_login(personas.outsider)

    assert client.get(reverse(workspace.url_name)).status_code == 403


@pytest.mark.parametrize("workspace", WORKSPACES, ids=lambda w: w.key)
def test_superuser_opens_every_workspace(client, db, workspace):
    client.force_login(make_user(is_superuser=True))

    assert client.get(reverse(workspace.url_name)).status_code == 200


def test_navigation_lists_only_the_workspaces_of_the_role(client, personas):
    client.force_login(personas.ombudsman)

    response = client.get(reverse("notifications"))

    nav_urls = [item["url"] for item in response.context["nav"]]
    assert nav_urls == [reverse("ombudsman:queue")]


# --- the API refuses the anonymous and the role-less ---------------------------------------

# (method, URL name, kwargs): the agency's endpoints, with real objects; every endpoint
# of every app is also walked by test_every_api_endpoint_refuses_anonymous_and_the_role_less.
# With SessionAuthentication first, DRF answers 403 (not 401) to a request
# without credentials: SessionAuthentication sends no WWW-Authenticate challenge.
API_ENDPOINTS = [
    ("get", "api-root", {}),
    ("get", "api-me", {}),
    ("get", "api-deadline", {}),
    ("get", "api-schema", {}),
    ("get", "api-docs", {}),
    ("get", "region-list", {}),
    ("get", "region-detail", {"pk": "region"}),
    ("get", "worklocation-list", {}),
    ("get", "worklocation-detail", {"pk": "location"}),
    ("get", "unit-list", {}),
    ("get", "unit-detail", {"pk": "unit"}),
    ("get", "closureday-list", {}),
    ("post", "closureday-list", {}),
    ("delete", "closureday-detail", {"date": "closure"}),
    ("get", "notification-list", {}),
    ("get", "notification-detail", {"pk": "notification"}),
    ("post", "notification-read", {"pk": "notification"}),
    ("post", "notification-read-all", {}),
]


@pytest.fixture
def api_objects(personas, someones_notification):
    closure = services.closure_day_add(day=date(2027, 2, 16), reason="Snow storm")
    return {
        "region": personas.region.pk,
        "location": personas.office.pk,
        "unit": personas.unit.pk,
        "closure": f"{closure.date:%Y-%m-%d}",
        "notification": someones_notification.pk,
    }


def _api_call(client, method, name, kwargs, objects):
    path = reverse(name, kwargs={key: objects[value] for key, value in kwargs.items()})
    data = {"date": "2027-03-01", "reason": "Ice"} if method == "post" else None
    return getattr(client, method)(path, data, content_type="application/json")


@pytest.mark.parametrize(("method", "name", "kwargs"), API_ENDPOINTS)
def test_api_refuses_anonymous_with_403(client, api_objects, method, name, kwargs):
    response = _api_call(client, method, name, kwargs, api_objects)

    assert response.status_code == 403


@pytest.mark.parametrize(("method", "name", "kwargs"), API_ENDPOINTS)
def test_api_refuses_user_without_role_with_403(
    client, personas, api_objects, method, name, kwargs
):
    client.force_login(personas.outsider)

    response = _api_call(client, method, name, kwargs, api_objects)

    assert response.status_code == 403


def test_api_refuses_an_invalid_token_with_403(client, db):
    response = client.get(reverse("api-me"), HTTP_AUTHORIZATION="Token not-a-real-token")

    assert response.status_code == 403


# --- the gatekeeper: units ----------------------------------------------------------------


def test_caseworker_gets_404_for_a_unit_outside_their_scope(personas):
    with pytest.raises(Http404):
        access_unit(personas.caseworker, personas.other_unit.pk)


def test_caseworker_gets_404_for_a_unit_id_that_does_not_exist(personas):
    with pytest.raises(Http404):
        access_unit(personas.caseworker, 987_654_321)


@pytest.mark.parametrize("bad_id", ["abc", "", None, "1; DROP TABLE agency_unit"])
def test_caseworker_gets_404_for_a_malformed_unit_id(personas, bad_id):
    with pytest.raises(Http404):
        access_unit(personas.caseworker, bad_id)


def test_caseworker_sees_only_their_own_unit(personas):
    assert list(selectors.visible_units(personas.caseworker)) == [personas.unit]
    assert access_unit(personas.caseworker, personas.unit.pk) == personas.unit
    assert access_unit(personas.caseworker, str(personas.unit.pk)) == personas.unit


def test_supervisor_sees_the_units_they_supervise_and_their_own(personas):
    # A supervisor who belongs to one unit and supervises two others in the office.
    own = make_unit(personas.office, name="Ongoing Services Unit 1")
    supervisor = make_user(Role.SUPERVISOR, unit=own)
    supervised = [
        make_unit(personas.office, supervisor=supervisor, name=f"Ongoing Services Unit {n}")
        for n in (2, 3)
    ]
    make_unit(personas.office, name="Unsupervised by them")

    assert set(selectors.visible_units(supervisor)) == {own, *supervised}
    assert set(selectors.visible_units(personas.supervisor)) == {personas.unit}


def test_area_administrator_sees_every_unit_of_their_office_only(personas):
    second = make_unit(personas.office)
    admin = make_user(Role.AREA_ADMINISTRATOR, location=personas.office)

    assert set(selectors.visible_units(admin)) == {personas.unit, second}
    with pytest.raises(Http404):
        access_unit(admin, personas.other_unit.pk)


@pytest.mark.parametrize(
    "role",
    [
        Role.QUALITY_REVIEWER,
        Role.COMMISSIONERS_OFFICE,
        Role.SYSTEM_ADMINISTRATOR,
        Role.PERFORMANCE_MANAGEMENT,
        Role.ORE_ANALYST,
    ],
)
def test_statewide_roles_see_every_unit(personas, role):
    user = make_user(role, location=personas.central)

    assert set(selectors.visible_units(user)) == {personas.unit, personas.other_unit}


def test_superuser_sees_every_unit(personas):
    assert selectors.visible_units(make_user(is_superuser=True)).count() == 2


@pytest.mark.parametrize("persona", ["outsider", "ombudsman"])
def test_users_outside_the_unit_hierarchy_see_no_unit(personas, persona):
    user = getattr(personas, persona)

    assert not selectors.visible_units(user).exists()
    with pytest.raises(Http404):
        access_unit(user, personas.unit.pk)


def test_anonymous_sees_no_unit(personas):
    assert not selectors.visible_units(AnonymousUser()).exists()
    with pytest.raises(Http404):
        access_unit(AnonymousUser(), personas.unit.pk)


def test_a_guardian_grant_shares_another_unit_and_removing_it_hides_it_again(personas):
    caseworker, covered = personas.caseworker, personas.other_unit

    assign_perm("agency.view_unit", caseworker, covered)

    assert set(selectors.visible_units(caseworker)) == {personas.unit, covered}
    assert access_unit(caseworker, covered.pk) == covered

    remove_perm("agency.view_unit", caseworker, covered)
    # Grants are read once per request and kept on the user object (as Django keeps
    # model permissions); the next request loads the user afresh.
    caseworker = type(caseworker).objects.get(pk=caseworker.pk)

    assert list(selectors.visible_units(caseworker)) == [personas.unit]
    with pytest.raises(Http404):
        access_unit(caseworker, covered.pk)


def test_a_guardian_grant_to_a_group_shares_the_unit_with_its_members(personas):
    cover = Group.objects.create(name="New Haven cover rota")
    personas.caseworker.groups.add(cover)

    assign_perm("agency.view_unit", cover, personas.other_unit)

    assert access_unit(personas.caseworker, personas.other_unit.pk) == personas.other_unit


def test_a_model_wide_view_unit_permission_shares_no_unit(personas):
    # Every role's group holds agency.view_unit model-wide (to read the organisation);
    # only an object grant may widen the scope.
    assert personas.caseworker.has_perm("agency.view_unit")

    with pytest.raises(Http404):
        access_unit(personas.caseworker, personas.other_unit.pk)


def test_a_grant_to_view_does_not_let_the_caseworker_change_the_unit(personas):
    assign_perm("agency.view_unit", personas.caseworker, personas.other_unit)

    with pytest.raises(Http404):
        access_unit(personas.caseworker, personas.other_unit.pk, "change")


def test_supervisor_may_change_their_unit_but_caseworker_may_not(personas):
    assert access_unit(personas.supervisor, personas.unit.pk, "change") == personas.unit

    with pytest.raises(Http404):
        access_unit(personas.caseworker, personas.unit.pk, "change")
    with pytest.raises(Http404):
        access_unit(personas.supervisor, personas.other_unit.pk, "change")


def test_area_administrator_and_system_administrator_may_change_units(personas):
    area_admin = make_user(Role.AREA_ADMINISTRATOR, location=personas.office)
    sysadmin = make_user(Role.SYSTEM_ADMINISTRATOR, location=personas.central)

    assert access_unit(area_admin, personas.unit.pk, "change") == personas.unit
    with pytest.raises(Http404):
        access_unit(area_admin, personas.other_unit.pk, "change")
    assert access_unit(sysadmin, personas.other_unit.pk, "change") == personas.other_unit


def test_statewide_reader_may_view_but_not_change_a_unit(personas):
    reviewer = make_user(Role.QUALITY_REVIEWER, location=personas.central)

    assert access_unit(reviewer, personas.unit.pk) == personas.unit
    with pytest.raises(Http404):
        access_unit(reviewer, personas.unit.pk, "change")


def test_access_unit_rejects_an_unknown_permission(personas):
    with pytest.raises(ValueError, match="delete"):
        access_unit(personas.supervisor, personas.unit.pk, "delete")


# --- the gatekeeper: notifications ---------------------------------------------------------


def test_access_notification_answers_404_for_someone_elses(personas, someones_notification):
    assert access_notification(personas.caseworker, someones_notification.pk)
    for other in (personas.supervisor, personas.outsider, personas.other_caseworker):
        with pytest.raises(Http404):
            access_notification(other, someones_notification.pk)
        with pytest.raises(Http404):
            access_notification(other, someones_notification.pk, "change")


def test_opening_someone_elses_notification_page_answers_404(
    client, personas, someones_notification
):
    client.force_login(personas.supervisor)

    response = client.get(reverse("notification_open", args=[someones_notification.pk]))

    assert response.status_code == 404
    someones_notification.refresh_from_db()
    assert someones_notification.read_at is None


def test_marking_someone_elses_notification_read_answers_404(
    client, personas, someones_notification
):
    client.force_login(personas.supervisor)

    response = client.post(reverse("notification_read", args=[someones_notification.pk]))

    assert response.status_code == 404
    someones_notification.refresh_from_db()
    assert someones_notification.read_at is None


def test_mark_all_read_leaves_other_peoples_notifications_alone(
    client, personas, someones_notification
):
    client.force_login(personas.supervisor)

    client.post(reverse("notifications_read_all"))

    someones_notification.refresh_from_db()
    assert someones_notification.read_at is None


def test_api_answers_404_for_someone_elses_notification(client, personas, someones_notification):
    client.force_login(personas.supervisor)

    detail = client.get(reverse("notification-detail", args=[someones_notification.pk]))
    read = client.post(reverse("notification-read", args=[someones_notification.pk]))

    assert detail.status_code == 404
    assert read.status_code == 404
    someones_notification.refresh_from_db()
    assert someones_notification.read_at is None


def test_api_answers_404_for_another_units_unit(client, personas):
    client.force_login(personas.caseworker)

    response = client.get(reverse("unit-detail", args=[personas.other_unit.pk]))

    assert response.status_code == 404
