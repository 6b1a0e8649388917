"""Django admin for quality records: one module per feature."""

from quality.admin import dashboard, data_requests, events, reviews, sqr  # noqa: F401
