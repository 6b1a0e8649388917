from django.contrib.auth import get_user_model
from rest_framework import serializers

from agency.models import ClosureDay, Notification, Region, Unit, WorkLocation

User = get_user_model()


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name"]


class WorkLocationSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = WorkLocation
        fields = ["id", "name", "kind", "region", "street", "city", "state", "postal_code", "phone"]


class UnitSerializer(serializers.ModelSerializer):
    work_location = serializers.PrimaryKeyRelatedField(read_only=True)
    work_location_name = serializers.CharField(source="work_location.name", read_only=True)
    supervisor = serializers.SerializerMethodField()

    class Meta:
        model = Unit
        fields = ["id", "name", "work_location", "work_location_name", "supervisor", "active"]

    def get_supervisor(self, unit: Unit) -> str | None:
        return unit.supervisor.get_full_name() if unit.supervisor else None


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.EmailField()
    role = serializers.CharField(allow_null=True)
    role_label = serializers.CharField(allow_null=True)
    work_location = serializers.CharField(allow_null=True)
    unit = serializers.CharField(allow_null=True)


class ClosureDaySerializer(serializers.ModelSerializer):
    class Meta:
        model = ClosureDay
        fields = ["date", "reason", "created_at"]
        read_only_fields = ["created_at"]
        # Uniqueness is the service's rule; let it answer with its own message.
        extra_kwargs = {"date": {"validators": []}}


class DeadlineQuerySerializer(serializers.Serializer):
    start = serializers.DateTimeField(help_text="ISO 8601; without an offset, Eastern time.")
    business_days = serializers.IntegerField(min_value=0, max_value=365, required=False)
    business_hours = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=0, max_value=2000, required=False
    )

    def validate(self, attrs):
        if ("business_days" in attrs) == ("business_hours" in attrs):
            raise serializers.ValidationError(
                "Give exactly one of business_days or business_hours."
            )
        return attrs


class DeadlineSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    due_at = serializers.DateTimeField()
    explanation = serializers.ListField(child=serializers.CharField())


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "subject", "body", "link", "created_at", "read_at", "is_read"]
        read_only_fields = fields
