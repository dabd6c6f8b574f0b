"""The 实名 check seam: a deployment calls a real-name service (公安 or a licensed provider); the demo
accepts any name with an ID number whose checksum, birth date and region prefix are valid."""
from __future__ import annotations

from abc import ABC, abstractmethod

from django.conf import settings
from django.utils.module_loading import import_string

from gonghui.core.validators import parse_id_number


class IdentityRejected(Exception):
    """Raised with a message in Chinese the worker can act on."""


class IdentityChecker(ABC):
    @abstractmethod
    def check(self, *, name: str, id_number: str) -> None:
        """Return if the name matches the ID number; raise IdentityRejected otherwise."""


class ChecksumOnlyChecker(IdentityChecker):
    def check(self, *, name: str, id_number: str) -> None:
        parse_id_number(id_number)
        if not 2 <= len(name) <= 30:
            raise IdentityRejected("姓名应为2到30个字")


def identity_check(*, name: str, id_number: str) -> None:
    import_string(settings.IDENTITY_CHECKER)().check(name=name, id_number=id_number)
