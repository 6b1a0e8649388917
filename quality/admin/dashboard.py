"""Django admin: dashboard."""
