"""Django admin: events."""
