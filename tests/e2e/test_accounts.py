"""Sign up, log in and the profile, in a real browser against the real server."""

from __future__ import annotations

from accounts.models import User
from tests.e2e.conftest import log_in, screenshot
from tests.factories import UserFactory


def test_a_visitor_signs_up_and_lands_on_their_interviews(new_page) -> None:
    page = new_page()
    page.goto("/interviews")
    page.wait_for_url("**/login?next=%2Finterviews")
    screenshot(page, "01-login")
    # A visitor at / sees what the site is, not a login form.
    page.goto("/")
    page.get_by_role("heading", name="Practise ML system design interviews with peers").wait_for()
    page.get_by_role("link", name="Create an account").first.click()

    page.get_by_label("Email").fill("new.person@example.com")
    page.get_by_label("Password").fill("a-long-enough-secret")
    page.get_by_label("Display name").fill("Nova")
    page.get_by_label("Time zone").select_option("Asia/Tokyo")
    page.get_by_label("Target level").select_option("senior")
    page.get_by_label("Computer vision").check()
    screenshot(page, "02-register")
    page.get_by_role("button", name="Create account").click()

    # A new account starts on the first-run page, then goes on to its home.
    page.get_by_role("heading", name="Welcome to Sevenstep").wait_for()
    page.get_by_role("link", name="Go to your interviews").click()
    page.get_by_role("heading", name="Your interviews").wait_for()
    profile = User.objects.get(email="new.person@example.com").profile
    assert (profile.time_zone, profile.target_level, profile.focus_domains) == (
        "Asia/Tokyo",
        "senior",
        ["vision"],
    )
    assert page.console_errors == []


def test_a_wrong_password_is_explained_next_to_the_form(new_page, password) -> None:
    UserFactory(email="ada@example.com")
    page = new_page()
    page.goto("/login")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill("not-" + password)
    page.get_by_role("button", name="Log in").click()

    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "Email or password is incorrect" in alert.inner_text()
    screenshot(page, "03-login-error")


def test_sign_up_errors_are_shown_next_to_their_fields(new_page) -> None:
    page = new_page()
    page.goto("/register")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Display name").fill("X")
    page.get_by_role("button", name="Create account").click()

    email = page.get_by_label("Email")
    page.locator(".field-error").first.wait_for()
    assert email.get_attribute("aria-invalid") == "true"
    described = email.get_attribute("aria-describedby") or ""
    message = page.locator(f'[id="{described.split()[-1]}"]').inner_text()
    assert "email" in message.lower()
    assert page.get_by_label("Password").get_attribute("aria-invalid") == "true"


def test_the_profile_changes_time_zone_and_domains(new_page, password) -> None:
    user = UserFactory(email="grace@example.com", profile__display_name="Grace")
    page = new_page(width=820, height=1180)  # a tablet held upright
    log_in(page, "grace@example.com", password, "/profile")

    page.get_by_label("Time zone").select_option("America/New_York")
    page.get_by_label("Display name").fill("Grace H.")
    page.get_by_label("Ads").check()
    page.get_by_role("button", name="Save profile").click()
    page.get_by_text("Profile saved.").wait_for()
    screenshot(page, "04-profile-tablet")

    user.profile.refresh_from_db()
    assert user.profile.time_zone == "America/New_York"
    assert user.profile.display_name == "Grace H."
    assert set(user.profile.focus_domains) == {"recommendation", "ads"}


def test_signing_up_with_a_taken_email_says_to_check_the_email(new_page) -> None:
    UserFactory(email="taken@example.com", profile__display_name="Owner")
    page = new_page()
    page.goto("/register")
    page.get_by_label("Email").fill("taken@example.com")
    page.get_by_label("Password").fill("a-long-enough-secret")
    page.get_by_label("Display name").fill("Impostor")
    page.get_by_role("button", name="Create account").click()

    page.get_by_role("heading", name="Check your email").wait_for()
    assert "emailed its owner" in page.get_by_role("status").inner_text()
    assert User.objects.get(email="taken@example.com").profile.display_name == "Owner"
    screenshot(page, "02b-register-taken")
