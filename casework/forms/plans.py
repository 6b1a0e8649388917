"""Forms of the case plan pages. They check the shape of the input; the rules (what a
complete plan holds, who decides, one open version at a time) are the services'."""

from django import forms

from agency.forms import EditTokenField
from casework.models import CasePlan, PlanGoal, PlanService, ProviderService
from casework.selectors.providers import plan_service_choices

_DATE = forms.DateInput(attrs={"type": "date"})
_CHECK = forms.CheckboxInput(attrs={"class": "usa-checkbox__input"})


class PlanFamilyForm(forms.Form):
    family_participants = forms.CharField(
        label="Who from the family took part",
        required=False,
        help_text="Names and how each took part.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    family_led = forms.BooleanField(
        label="The family led the planning", required=False, widget=_CHECK
    )
    maternal_family_engaged = forms.BooleanField(
        label="The maternal family was engaged", required=False, widget=_CHECK
    )
    paternal_family_engaged = forms.BooleanField(
        label="The paternal family was engaged", required=False, widget=_CHECK
    )
    permanency_goal = forms.ChoiceField(
        label="Permanency goal",
        required=False,
        choices=[("", "None (no child in care)"), *CasePlan.PermanencyGoal.choices],
        help_text="For children in care.",
    )
    concurrent_goal = forms.ChoiceField(
        label="Concurrent plan",
        required=False,
        choices=[("", "None"), *CasePlan.PermanencyGoal.choices],
    )
    edit_token = EditTokenField()


class GoalForm(forms.Form):
    description = forms.CharField(label="Goal", widget=forms.Textarea(attrs={"rows": 2}))
    responsible = forms.CharField(label="Who is responsible", max_length=200)
    target_date = forms.DateField(label="Target date", widget=_DATE)


class StepForm(forms.Form):
    description = forms.CharField(label="Step", widget=forms.Textarea(attrs={"rows": 2}))
    responsible = forms.CharField(label="Who is responsible", max_length=200)
    target_date = forms.DateField(label="Target date", widget=_DATE)


class _DirectoryServiceField(forms.ModelChoiceField):
    def label_from_instance(self, service) -> str:
        label = f"{service.provider.name}: {service.service_type}"
        if service.evidence_based:
            label += f" (evidence-based{': ' + service.model_name if service.model_name else ''})"
        if service.locations:
            label += f"; {service.locations}"
        return label


class ServiceForm(forms.Form):
    provider_service = _DirectoryServiceField(
        label="From the provider directory",
        queryset=ProviderService.objects.none(),
        required=False,
        empty_label="- Not listed: type the provider below -",
        help_text="A listed service fills in the provider, the type of service and whether "
        "it is evidence-based. For a provider the directory does not list, type them below.",
    )
    provider = forms.CharField(label="Provider", max_length=200, required=False)
    service_type = forms.CharField(
        label="Type of service",
        max_length=200,
        required=False,
        help_text="E.g. parenting education.",
    )
    evidence_based = forms.BooleanField(label="Evidence-based", required=False, widget=_CHECK)
    status = forms.ChoiceField(label="Status", choices=PlanService.Status.choices)
    referred_on = forms.DateField(label="Referred on", widget=_DATE)
    goal = forms.TypedChoiceField(
        label="For goal", required=False, coerce=int, empty_value=None, choices=[]
    )

    def __init__(self, *args, plan: CasePlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goal"].choices = [("", "No particular goal")] + [
            (goal.pk, goal.description[:60]) for goal in plan.goals.all()
        ]
        self.fields["provider_service"].queryset = plan_service_choices()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("provider_service") and "provider_service" not in self.errors:
            for name, words in (("provider", "the provider"), ("service_type", "the type")):
                if not (cleaned.get(name) or "").strip() and name not in self.errors:
                    self.add_error(name, f"Choose a service from the directory, or enter {words}.")
        return cleaned


class PlanDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("approve", "Approve"), ("return", "Return with comments")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="Comments for the worker",
        required=False,
        help_text="Needed when you return the plan: what must change.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


GOAL_STATUS_CHOICES = PlanGoal.Status.choices
