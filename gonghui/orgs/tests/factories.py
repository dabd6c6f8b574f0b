"""Factories that go through the services, so test data obeys the same rules as real data."""
import random

import factory

from gonghui.core.validators import uscc_generate
from gonghui.orgs import services
from gonghui.orgs.models import Employer, Industry, Org, OrgType, Ownership

_rng = random.Random(7)


def valid_uscc(region_code: str = "440106") -> str:
    return uscc_generate(region_code=region_code, rng=_rng)


class OrgFactory(factory.Factory):
    """OrgFactory(parent=org("440106001"), type=OrgType.ENTERPRISE)."""

    class Meta:
        model = Org

    name = factory.Sequence(lambda n: f"测试单位{n}有限公司工会委员会")
    type = OrgType.ENTERPRISE
    parent = None

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.org_create(actor=None, **kwargs)


class EmployerFactory(factory.Factory):
    class Meta:
        model = Employer

    uscc = factory.LazyFunction(valid_uscc)
    name = factory.Sequence(lambda n: f"广州测试{n}科技有限公司")
    industry = Industry.I
    ownership = Ownership.NON_PUBLIC
    town = None
    headcount = 50
    has_union = False
    union = None

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.employer_create(actor=None, data=services.EmployerInput(**kwargs))


def scores(scheme, fraction: float) -> dict[str, float]:
    """Self-assessment scores at the same fraction of every indicator's points."""
    return {str(i.pk): i.weight * fraction for i in scheme.indicators.all()}
