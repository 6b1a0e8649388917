"""Django admin: Special Qualitative Reviews (confidential)."""
