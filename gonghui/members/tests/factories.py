import datetime
import itertools

from gonghui.accounts.tests.factories import UserFactory
from gonghui.core.validators import id_number_generate
from gonghui.members import services

_sequence = itertools.count(1)


def new_id_number(region: str = "440106", born: datetime.date = datetime.date(1995, 6, 1)) -> str:
    return id_number_generate(region_code=region, birth_date=born, sequence=next(_sequence))


def worker(**kwargs):
    phone = f"139{next(_sequence):08d}"
    return UserFactory(kind="worker", phone=phone, **kwargs)


def join(applicant=None, **fields):
    """Submit 一键入会 the way the H5 form does; returns the application."""
    applicant = applicant or worker()
    data = {"name": "李小明", "id_number": new_id_number(), **fields}
    return services.join_submit(applicant=applicant, data=services.JoinInput(**data))
