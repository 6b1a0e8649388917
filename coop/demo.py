"""Demo COOP plans for `manage.py seed` (filled in by the COOP registry work)."""

import random


def seed_coop(rng: random.Random) -> dict:
    return {}
