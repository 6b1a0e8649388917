"""Django admin for ORE data requests (in progress)."""
