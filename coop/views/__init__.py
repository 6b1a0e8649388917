"""The COOP pages. Each module lists its own routes (coop/urls.py gathers them)."""
