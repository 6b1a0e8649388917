"""Casework admin: visits."""
