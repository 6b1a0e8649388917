"""Django admin: reviews."""
