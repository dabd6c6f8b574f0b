"""Scoped accounts models, one row each inside a place (see core/tests/places.py)."""
from gonghui.accounts.models import Post
from gonghui.accounts.tests.factories import PostFactory

FACTORIES = {
    Post: lambda place: PostFactory(org=place.town),
}
