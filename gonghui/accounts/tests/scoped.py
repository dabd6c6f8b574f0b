"""Scoped accounts models, one row each inside a place (see core/tests/places.py)."""
from gonghui.accounts.models import ObjectGrant, Post
from gonghui.accounts.services import object_grant_give
from gonghui.accounts.tests.factories import PostFactory, UserFactory

FACTORIES = {
    Post: lambda place: PostFactory(org=place.town),
    ObjectGrant: lambda place: object_grant_give(actor=place.cadre, grantee=UserFactory(kind="external"), obj=place.employer,
                                                 actions=["orgs.view"]),
}
