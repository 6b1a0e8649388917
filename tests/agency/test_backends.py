from django.contrib.auth.models import Permission

from agency.roles import Role


def test_model_permissions_come_from_the_user_and_their_groups_in_one_query(
    db, user_with_role, django_assert_num_queries
):
    user = user_with_role(Role.CASEWORKER)
    user.user_permissions.add(Permission.objects.get(codename="view_closureday"))
    user = type(user).objects.get(pk=user.pk)  # no permission cache yet

    with django_assert_num_queries(1):
        assert user.has_perm("casework.view_case")  # through the Caseworker group
        assert user.has_perm("agency.view_closureday")  # given to the user
        assert not user.has_perm("casework.approve_casework")


def test_inactive_users_hold_no_model_permission(db, user_with_role):
    user = user_with_role(Role.SUPERVISOR)
    user.is_active = False
    user.save()

    assert not user.has_perm("casework.approve_casework")


def test_the_permissions_are_those_djangos_own_backend_reads(db, user_with_role):
    from django.contrib.auth.backends import ModelBackend

    user = user_with_role(Role.SUPERVISOR)
    user.user_permissions.add(Permission.objects.get(codename="view_closureday"))
    user = type(user).objects.get(pk=user.pk)

    expected = ModelBackend().get_all_permissions(type(user).objects.get(pk=user.pk))
    assert user.get_all_permissions() == expected
    assert "agency.view_closureday" in expected and "casework.approve_casework" in expected
