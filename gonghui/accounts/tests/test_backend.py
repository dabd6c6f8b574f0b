import pytest
from django.forms.models import model_to_dict

from gonghui.accounts.backends import ModelBackend
from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_signed_in_user_is_read_as_the_orm_reads_it(django_assert_num_queries):
    user, other = UserFactory(display_name="张三"), UserFactory()
    backend = ModelBackend()
    with django_assert_num_queries(1):
        loaded = backend.get_user(user.pk)
    assert type(loaded) is User and model_to_dict(loaded) == model_to_dict(User.objects.get(pk=user.pk))
    assert loaded._state.adding is False and loaded._state.db == "default"
    assert backend.get_user(other.pk).pk == other.pk  # the stand-in id is swapped each time, not kept


def test_missing_and_inactive_users_are_nobody():
    user = UserFactory(is_active=False)
    backend = ModelBackend()
    assert backend.get_user(user.pk) is None
    assert backend.get_user(user.pk + 1000) is None
    assert backend.get_user(str(UserFactory().pk)) is not None  # not an int: Django's own path
