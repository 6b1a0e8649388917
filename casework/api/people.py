"""Casework API: people, their diligent searches, and relationships.

/api/casework/persons/            GET (visible people; ?case=<id>, ?q=<name words>), POST
/api/casework/persons/{id}/       GET (logs a view), PATCH (person fields; `edit_token`
                                  from the GET refuses a change made in between)
/api/casework/persons/{id}/diligent-searches/   GET, POST
/api/casework/relationships/      GET (?case=<id>), POST
/api/casework/relationships/{id}/ GET

People and cases come through the gatekeeper (404 when not visible, 403 when the role
only reads); every write is a service of casework.services.people.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from agency.api.fields import EditTokenField, edit_token_input
from agency.concurrency import with_edit_tokens
from agency.permissions import access_object
from casework import audit
from casework.models import CaseMember, DiligentSearchEntry, Person, Race, Relationship
from casework.permissions import access_case, access_person
from casework.selectors import people as selectors
from casework.selectors import visible_cases, visible_people
from casework.services import people as services

urlpatterns: list = []


# --- serializers -------------------------------------------------------------------------


class MembershipSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)

    class Meta:
        model = CaseMember
        fields = [
            "id",
            "case",
            "case_number",
            "role",
            "alleged_victim",
            "custodial",
            "in_household",
            "natural_support_kind",
            "active",
        ]
        read_only_fields = fields


def _races_field(**kwargs) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        queryset=Race.objects.all(),
        help_text="OMB race codes, e.g. black, white, asian; or declined / unknown.",
        **kwargs,
    )


class PersonSerializer(serializers.ModelSerializer):
    races = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    memberships = MembershipSerializer(
        source="visible_memberships",
        many=True,
        read_only=True,
        help_text="The person's place on the cases the caller may see.",
    )
    edit_token = EditTokenField()

    class Meta:
        model = Person
        fields = [
            "id",
            "full_name",
            *services.PERSON_FIELDS,
            "created_at",
            "memberships",
            "edit_token",
        ]
        read_only_fields = fields


class PersonUpdateSerializer(serializers.ModelSerializer):
    races = _races_field(required=False)
    edit_token = edit_token_input()

    class Meta:
        model = Person
        fields = [*services.PERSON_FIELDS, "edit_token"]


class PersonCreateSerializer(serializers.Serializer):
    """A person on a case: an existing `person` id, or the fields of a new one."""

    case = serializers.IntegerField()
    person = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="An existing person (e.g. one of the `duplicates` of an earlier answer).",
    )
    role = serializers.ChoiceField(choices=CaseMember.Role.choices)
    alleged_victim = serializers.BooleanField(default=False)
    custodial = serializers.BooleanField(default=True)
    in_household = serializers.BooleanField(default=True)
    natural_support_kind = serializers.CharField(default="", allow_blank=True, max_length=100)
    confirm_new_despite_duplicates = serializers.BooleanField(
        default=False,
        help_text="Create a new person even though one with the same name and date of "
        "birth exists.",
    )
    first_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    middle_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    last_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    date_of_birth_estimated = serializers.BooleanField(required=False)
    sex = serializers.ChoiceField(choices=Person.Sex.choices, required=False)
    races = _races_field(required=False)
    ethnicity = serializers.ChoiceField(choices=Person.Ethnicity.choices, required=False)
    preferred_language = serializers.CharField(required=False, max_length=60)
    interpreter_needed = serializers.BooleanField(required=False)
    communication_needs = serializers.CharField(required=False, allow_blank=True)
    tribal_affiliation = serializers.CharField(required=False, allow_blank=True, max_length=150)
    whereabouts_unknown = serializers.BooleanField(required=False)
    incarcerated = serializers.BooleanField(required=False)
    facility = serializers.CharField(required=False, allow_blank=True, max_length=200)
    facility_contact = serializers.CharField(required=False, allow_blank=True, max_length=200)


class DuplicateSerializer(serializers.Serializer):
    non_field_errors = serializers.ListField(child=serializers.CharField())
    duplicates = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Ids of the people with the same name and date of birth: send one as "
        "`person`, or send `confirm_new_despite_duplicates: true`.",
    )


class DiligentSearchSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = DiligentSearchEntry
        fields = ["id", "searched_on", "method", "result", "found", "recorded_by"]
        read_only_fields = ["id", "recorded_by"]


class RelationshipSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)
    relative_name = serializers.CharField(source="relative.full_name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Relationship
        fields = ["id", "person", "person_name", "kind", "kind_label", "relative", "relative_name"]
        fields += ["note"]
        read_only_fields = fields


class RelationshipCreateSerializer(serializers.Serializer):
    """`person` is `kind` of `relative`, both active on `case`."""

    case = serializers.IntegerField()
    person = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Relationship.Kind.choices)
    relative = serializers.IntegerField()
    note = serializers.CharField(default="", allow_blank=True, max_length=200)


# --- views -------------------------------------------------------------------------------

CASE_PARAMETER = OpenApiParameter("case", int, description="Only those on this case.")


class PersonViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """People on cases the caller may see. Never deleted: take a person off a case
    from the case page instead."""

    serializer_class = PersonSerializer

    def get_queryset(self):
        params = self.request.query_params
        return with_edit_tokens(
            selectors.people_list(
                self.request.user, case_id=params.get("case"), query=params.get("q", "")
            )
        )

    def _show(self, person: Person, code: int = status.HTTP_200_OK) -> Response:
        person = with_edit_tokens(selectors.people_list(self.request.user)).get(pk=person.pk)
        return Response(PersonSerializer(person).data, status=code)

    @extend_schema(
        parameters=[CASE_PARAMETER, OpenApiParameter("q", str, description="Words of the name.")]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, pk=None):
        person = access_person(request.user, pk)
        audit.record_view(user=request.user, person=person, channel="api")
        return self._show(person)

    @extend_schema(
        request=PersonCreateSerializer,
        responses={
            201: PersonSerializer,
            400: OpenApiResponse(
                DuplicateSerializer,
                description="A field map; for a possible duplicate, `non_field_errors` and "
                "`duplicates`.",
            ),
        },
    )
    def create(self, request):
        body = PersonCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        case = access_case(request.user, data.pop("case"), "change")
        person_id = data.pop("person", None)
        member_fields = {
            name: data.pop(name)
            for name in (
                "role",
                "alleged_victim",
                "custodial",
                "in_household",
                "natural_support_kind",
                "confirm_new_despite_duplicates",
            )
        }
        if person_id is not None:
            person = self._existing_person(person_id, data)
            member_fields.pop("confirm_new_despite_duplicates")
            member = services.person_add_to_case(
                case=case, actor=request.user, person=person, **member_fields
            )
            return self._show(member.person, status.HTTP_201_CREATED)
        try:
            member = services.person_add_to_case(
                case=case, actor=request.user, **member_fields, **data
            )
        except ValidationError as exc:
            errors = getattr(exc, "error_dict", {}).get("__all__", [])
            if not any(e.code == services.DUPLICATE_PERSON for e in errors):
                raise
            duplicates = selectors.person_duplicates(
                first_name=data["first_name"],
                last_name=data["last_name"],
                date_of_birth=data["date_of_birth"],
            )
            return Response(
                {
                    "non_field_errors": exc.message_dict["__all__"],
                    "duplicates": list(duplicates.values_list("pk", flat=True)),
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return self._show(member.person, status.HTTP_201_CREATED)

    def _existing_person(self, person_id: int, data: dict) -> Person:
        """A person the caller may see, or one whose name and date of birth the request
        gives (a duplicate the previous answer listed)."""
        duplicates = selectors.person_duplicates(
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            date_of_birth=data.get("date_of_birth"),
        )
        choices = Person.objects.filter(
            Q(pk__in=duplicates.values("pk"))
            | Q(pk__in=visible_people(self.request.user).values("pk"))
        )
        try:
            return access_object(choices, person_id)
        except Http404:
            raise ValidationError({"person": "No person with this id that you can see."}) from None

    @extend_schema(request=PersonUpdateSerializer, responses=PersonSerializer)
    def partial_update(self, request, pk=None):
        person = access_person(request.user, pk, "change")
        body = PersonUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.person_update(person=person, actor=request.user, **body.validated_data)
        return self._show(person)

    @extend_schema(methods=["GET"], request=None, responses=DiligentSearchSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=DiligentSearchSerializer,
        responses={201: DiligentSearchSerializer},
        description="Only while the person's whereabouts are unknown; `found: true` ends "
        "the search.",
    )
    @action(detail=True, methods=["get", "post"], url_path="diligent-searches")
    def diligent_searches(self, request, pk=None):
        if request.method == "GET":
            person = access_person(request.user, pk)
            searches = selectors.diligent_searches(person)
            return Response(DiligentSearchSerializer(searches, many=True).data)
        person = access_person(request.user, pk, "change")
        body = DiligentSearchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = services.diligent_search_record(
            person=person, actor=request.user, **body.validated_data
        )
        return Response(DiligentSearchSerializer(entry).data, status=status.HTTP_201_CREATED)


class RelationshipViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Relationships between people the caller may see (`person` is `kind` of
    `relative`). Kept once recorded: there is no delete."""

    serializer_class = RelationshipSerializer

    def get_queryset(self):
        user = self.request.user
        people = visible_people(user).values("pk")
        relationships = Relationship.objects.filter(person__in=people, relative__in=people)
        case_id = self.request.query_params.get("case")
        if case_id:
            on_case = CaseMember.objects.filter(
                case_id=case_id if case_id.isdigit() else None,
                case__in=visible_cases(user).values("pk"),
                active=True,
            ).values("person_id")
            relationships = relationships.filter(person__in=on_case, relative__in=on_case)
        return relationships.select_related("person", "relative").order_by("pk")

    def get_object(self):
        return access_object(self.get_queryset(), self.kwargs["pk"])

    @extend_schema(parameters=[CASE_PARAMETER])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=RelationshipCreateSerializer, responses={201: RelationshipSerializer})
    def create(self, request):
        body = RelationshipCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        case = access_case(request.user, data["case"], "change")
        people = {m.person_id: m.person for m in selectors.case_members(case)}
        errors = {
            name: f"Not an active member of case {case.number}."
            for name in ("person", "relative")
            if data[name] not in people
        }
        if errors:
            raise ValidationError(errors)
        relationship = services.relationship_add(
            person=people[data["person"]],
            relative=people[data["relative"]],
            kind=data["kind"],
            note=data["note"],
            actor=request.user,
        )
        return Response(RelationshipSerializer(relationship).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    """Register this module's viewsets on the casework router."""
    router.register("persons", PersonViewSet, basename="casework-person")
    router.register("relationships", RelationshipViewSet, basename="casework-relationship")
