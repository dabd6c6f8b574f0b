import factory

from gonghui.accounts.models import ExternalBinding, PartyType, Post, Role, User, UserKind


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"cadre{n}")
    display_name = factory.Faker("name", locale="zh_CN")
    password = factory.django.Password("Test@pass2026")


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    user = factory.SubFactory(UserFactory)
    role = factory.LazyFunction(lambda: Role.objects.get(code="admin"))


def employer_account(*, employer) -> User:
    """An external account that acts for one employer (外部账号: no posts, no org subtree)."""
    user = UserFactory(kind=UserKind.EXTERNAL)
    ExternalBinding.objects.create(user=user, party_type=PartyType.EMPLOYER, employer=employer)
    return user
