"""Demo ORE data requests for `manage.py seed` (filled in by the ORE request work)."""

import random


def seed_data_requests(rng: random.Random) -> dict:
    return {}
