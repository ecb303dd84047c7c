"""A deployment's first admin comes from its own environment, never from a published password."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from accounts.management.commands.seed_demo import DEMO_PASSWORD
from accounts.models import User
from tests.accounts.test_seed_demo import manage_in_production

pytestmark = pytest.mark.django_db

ADMIN = "root@sevenstep.example"
STRONG = "correct-horse-battery-staple-42"


def test_nothing_is_created_when_no_admin_is_configured(monkeypatch) -> None:
    monkeypatch.delenv("DJANGO_SUPERUSER_EMAIL", raising=False)
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    call_command("ensure_admin")
    assert not User.objects.exists()


def test_the_configured_admin_is_created_once_and_keeps_a_changed_password(monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", ADMIN)
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG)
    call_command("ensure_admin")
    admin = User.objects.get(email=ADMIN)
    assert admin.is_superuser and admin.is_staff and admin.check_password(STRONG)
    assert admin.profile.display_name == "Admin"

    admin.set_password("changed-in-the-admin-since-then")
    admin.save()
    call_command("ensure_admin")
    admin.refresh_from_db()
    assert admin.check_password("changed-in-the-admin-since-then")
    assert User.objects.count() == 1


def test_an_ordinary_account_with_that_email_is_not_promoted(monkeypatch, candidate) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", candidate.email)
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG)
    with pytest.raises(CommandError, match="not promoted"):
        call_command("ensure_admin")
    candidate.refresh_from_db()
    assert not candidate.is_staff and not candidate.is_superuser


@pytest.mark.parametrize("password", [DEMO_PASSWORD, "password", "12345678"])
def test_a_weak_or_published_password_is_refused(monkeypatch, password) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", ADMIN)
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", password)
    with pytest.raises(CommandError):
        call_command("ensure_admin")
    assert not User.objects.exists()


def test_half_a_configuration_is_refused(monkeypatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", ADMIN)
    monkeypatch.delenv("DJANGO_SUPERUSER_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="needs both"):
        call_command("ensure_admin")


@pytest.mark.django_db(transaction=True)
def test_production_creates_the_configured_admin() -> None:
    result = manage_in_production(
        "ensure_admin", DJANGO_SUPERUSER_EMAIL=ADMIN, DJANGO_SUPERUSER_PASSWORD=STRONG
    )
    assert result.returncode == 0, result.stderr
    assert User.objects.get(email=ADMIN).check_password(STRONG)
