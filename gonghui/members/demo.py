"""Demo members: workers of 天河 and 东莞 employers who joined through 一键入会, some still waiting for review.

Deterministic and idempotent: the same people every time, and a person who already joined is skipped.
"""
from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from faker import Faker

from gonghui.accounts.models import User, UserKind
from gonghui.core.exceptions import ApplicationError
from gonghui.core.validators import id_number_generate
from gonghui.members import services
from gonghui.members.models import NewFormType
from gonghui.orgs.models import Employer, Org

REGIONS = ("440106", "4419")


def seed_members_demo(*, count: int = 120, seed: int = 2026) -> int:
    rng, fake = random.Random(seed), Faker("zh_CN")
    fake.seed_instance(seed)
    employers = [e for code in REGIONS for e in Employer.objects.in_subtree(Org.objects.get(code=code)).order_by("uscc")[: count // 2]]
    created = 0
    for index, employer in enumerate(employers):
        applicant = _worker(index)
        born = dt.date(1970 + rng.randint(0, 35), rng.randint(1, 12), rng.randint(1, 28))
        data = services.JoinInput(
            name=fake.name(), id_number=id_number_generate(region_code=employer.town.code[:6], birth_date=born, sequence=index),
            employer_id=employer.pk, new_form_type=rng.choice([""] * 6 + [NewFormType.FOOD_DELIVERY, NewFormType.COURIER]),
        )
        try:
            with transaction.atomic():
                application = services.join_submit(applicant=applicant, data=data)
                if index % 3:  # two in three have been approved; the rest wait in the review queue
                    services.application_approve(actor=None, application_id=application.pk)
        except ApplicationError:
            continue  # already joined on an earlier run
        created += 1
    return created


def _worker(index: int) -> User:
    user, made = User.objects.get_or_create(username=f"demo_worker{index:03d}", defaults={"kind": UserKind.WORKER})
    if made:
        user.phone = f"1380013{index:04d}"
        user.set_unusable_password()
        user.save()
    return user
