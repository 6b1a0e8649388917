"""Reads for quality screens: one module per feature."""

from quality.models import QualityRules


def rules() -> QualityRules:
    """The office's numbers (one row, created with the defaults on first use)."""
    return QualityRules.objects.get_or_create(pk=1)[0]
