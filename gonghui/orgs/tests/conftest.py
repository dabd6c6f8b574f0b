import pytest


@pytest.fixture
def setting(org, cadre):
    """An eligible enterprise union under 石牌街道 (天河区, 广州) and a published 珠海-template scheme of the 广州 市总,
    with a cadre at each level: the union's own, the district's, the city's."""
    from gonghui.orgs import assessment_schemes as schemes
    from gonghui.orgs.models import OrgType
    from gonghui.orgs.tests.factories import EmployerFactory, OrgFactory

    union = OrgFactory(parent=org("440106006"), type=OrgType.ENTERPRISE, name="某科技公司工会委员会")
    EmployerFactory(town=org("440106006"), union=union, headcount=150)
    city = cadre("4401")
    scheme = schemes.scheme_create(actor=city, owner=org("4401"), name="", year=2026, template=schemes.ZHUHAI)
    scheme = schemes.scheme_publish(actor=city, scheme_id=scheme.pk)
    return {"union": union, "scheme": scheme, "city": city, "district": cadre("440106"), "company": cadre(union.code)}
