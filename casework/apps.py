from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = "Casework"

    def ready(self) -> None:
        from casework import due, models

        # Everything the caseload's kept "what is due" is computed from (casework/due.py).
        for model in (
            models.Case,
            models.CaseMember,
            models.Person,
            models.Intake,
            models.IffContact,
            models.Visit,
            models.VisitParticipant,
            models.Assessment,
            models.Placement,
            models.PermanencyDecision,
            models.CasePlan,
            models.FamilyMeeting,
            models.CourtHearing,
            models.CourtPetition,
            models.SupervisoryReview,
            models.NextStep,
        ):
            post_save.connect(
                due.on_saved, sender=model, dispatch_uid=f"due-saved-{model.__name__}"
            )
            post_delete.connect(
                due.on_deleted, sender=model, dispatch_uid=f"due-deleted-{model.__name__}"
            )
        post_save.connect(due.on_rules_saved, sender=models.CaseworkRules, dispatch_uid="due-rules")
