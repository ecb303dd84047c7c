"""factory_boy factories shared by every test module."""

from __future__ import annotations

import functools
from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import Profile, User
from interviews.models import Interview, Question, Seat


class ProfileFactory(DjangoModelFactory[Profile]):
    class Meta:
        model = Profile

    display_name = factory.Faker("first_name")
    time_zone = "UTC"
    target_level = "mid"
    target_role = "mle"
    focus_domains = factory.LazyFunction(lambda: ["recommendation"])


PASSWORD = "correct-horse-battery-9"


@functools.cache
def _hashed_password() -> str:
    from django.contrib.auth.hashers import make_password

    return make_password(PASSWORD)


def _email_verified(user: User, create: bool, extracted: object, **kwargs: object) -> None:
    """Verified unless email_verified=False: matching ignores unverified accounts."""
    if not create:
        return
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(
        user=user, email=user.email, primary=True, verified=extracted is not False
    )


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    # Hashed once: Argon2 per user would dominate the suite's run time.
    password = factory.LazyFunction(lambda: _hashed_password())

    @classmethod
    def _create(cls, model_class: type, *args: object, **kwargs: object) -> object:
        if kwargs.get("password") is None:  # password=None: a user who never logs in
            from django.contrib.auth.hashers import make_password

            kwargs["password"] = make_password(None)
        return super()._create(model_class, *args, **kwargs)

    profile = factory.RelatedFactory(ProfileFactory, factory_related_name="user")
    email_verified = factory.PostGeneration(_email_verified)


class QuestionFactory(DjangoModelFactory[Question]):
    class Meta:
        model = Question

    slug = factory.Sequence(lambda n: f"question-{n}")
    title = factory.Sequence(lambda n: f"Design system {n}")
    domain = "recommendation"
    level = "mid"
    prompt = "Design a system that recommends things."
    guide = factory.LazyFunction(
        lambda: {
            str(step): {
                "covers": [f"point for step {step}"],
                "follow_ups": [f"follow-up for step {step}"],
                "red_flags": [f"red flag for step {step}"],
            }
            for step in range(1, 8)
        }
    )
    emphasis = factory.LazyFunction(lambda: {str(step): 1.0 for step in range(1, 8)})


def _seats(interview: Interview, create: bool, extracted: object, **kwargs: object) -> None:
    if not create:
        return
    for user, role in ((interview.interviewer, "interviewer"), (interview.candidate, "candidate")):
        Seat.objects.create(
            interview=interview,
            user=user,
            role=role,
            starts_at=interview.starts_at,
            ends_at=interview.ends_at,
        )


class InterviewFactory(DjangoModelFactory[Interview]):
    """A scheduled interview an hour from now, with both participants' seats."""

    class Meta:
        model = Interview
        skip_postgeneration_save = True

    interviewer = factory.SubFactory(UserFactory)
    candidate = factory.SubFactory(UserFactory)
    question = factory.SubFactory(QuestionFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(minutes=45))
    seats = factory.PostGeneration(_seats)
