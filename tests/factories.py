"""factory_boy factories shared by every test module."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from accounts.models import Profile, User


class ProfileFactory(DjangoModelFactory):
    class Meta:
        model = Profile

    display_name = factory.Faker("first_name")
    time_zone = "UTC"
    target_level = "mid"
    target_role = "mle"
    focus_domains = factory.LazyFunction(lambda: ["recommendation"])


PASSWORD = "correct-horse-battery-9"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.django.Password(PASSWORD)
    profile = factory.RelatedFactory(ProfileFactory, factory_related_name="user")
