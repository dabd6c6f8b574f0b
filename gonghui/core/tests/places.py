"""What the URL walk (`test_url_walk.py`) needs from every app: a factory per scoped model.

An app lists its factories in `<app>/tests/scoped.py` as `FACTORIES = {Model: make}`, where `make(place)` creates one
row of that model inside `place` (a district the walking users have no post in) and returns it. A model that declares
an access rule (`core.access.Access`) without a factory fails the walk.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Place:
    """A district with what most factories start from: one of its 街道, an enterprise union there with a 150-person
    employer, and a cadre with an admin post at the district and one at the city above it."""

    district: object
    town: object
    union: object
    employer: object
    cadre: object
    city_cadre: object
    made: dict = field(default_factory=dict)

    def once(self, key: str, make: Callable[[], object]):
        """Shared prerequisites (a scheme, a member) made once, whichever factory asks first."""
        if key not in self.made:
            self.made[key] = make()
        return self.made[key]
