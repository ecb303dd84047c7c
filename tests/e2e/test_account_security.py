"""Verify an email, reset a forgotten password, manage sessions and tokens, delete the account."""

from __future__ import annotations

from accounts.models import User
from tests.e2e.conftest import log_in, mailed_link, screenshot
from tests.factories import UserFactory


def test_a_new_user_verifies_their_email_from_the_link_then_logs_in_again(
    new_page, mail_dir
) -> None:
    page = new_page()
    page.goto("/register")
    page.get_by_label("Email").fill("vera@example.com")
    page.get_by_label("Password").fill("a-long-enough-secret")
    page.get_by_label("Display name").fill("Vera")
    page.get_by_role("button", name="Create account").click()
    banner = page.get_by_role("region", name="Email verification")
    banner.wait_for()
    assert "vera@example.com" in banner.inner_text()
    screenshot(page, "account-01-unverified-banner")

    page.goto(mailed_link(mail_dir, "vera@example.com", "/verify-email/"))
    page.get_by_text("vera@example.com is verified").wait_for()
    page.get_by_role("link", name="Go to your interviews").click()
    page.get_by_role("heading", name="Your interviews").wait_for()
    banner.wait_for(state="detached")

    page.get_by_role("button", name="Log out").click()
    # The app goes to the login page once the server has ended the session; a page loaded
    # before that would still be logged in.
    page.get_by_role("heading", name="Log in").wait_for()
    log_in(page, "vera@example.com", "a-long-enough-secret")
    page.get_by_role("heading", name="Your interviews").wait_for()
    assert page.get_by_role("region", name="Email verification").count() == 0
    assert page.console_errors == []


def test_a_forgotten_password_is_reset_from_the_emailed_link(new_page, mail_dir) -> None:
    UserFactory(email="rosa@example.com", profile__display_name="Rosa")
    page = new_page()
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("rosa@example.com")
    page.get_by_role("button", name="Send the link").click()
    page.get_by_text("If an account has this email address").wait_for()

    page.goto(mailed_link(mail_dir, "rosa@example.com", "/reset-password/"))
    page.get_by_label("New password").fill("my-fresh-passphrase-4")
    page.get_by_role("button", name="Set the new password").click()
    page.get_by_text("Your password is changed").wait_for()
    screenshot(page, "account-02-password-reset")

    log_in(page, "rosa@example.com", "my-fresh-passphrase-4")
    page.get_by_role("heading", name="Your interviews").wait_for()
    assert page.console_errors == []


def test_the_account_page_ends_a_session_manages_a_token_and_deletes_the_account(
    new_page, password
) -> None:
    user = UserFactory(email="tom@example.com", profile__display_name="Tom")
    phone = new_page(width=390, height=844)
    log_in(phone, "tom@example.com", password)
    page = new_page()
    log_in(page, "tom@example.com", password, "/account")

    sessions = page.get_by_role("region", name="Sessions")
    sessions.get_by_text("(this browser)").wait_for()
    sessions.get_by_role("button", name="End").click()
    sessions.get_by_role("button", name="End").wait_for(state="detached")
    # The ended session is logged out: its home is the public landing page again.
    phone.reload()
    phone.get_by_role("link", name="Log in").wait_for()
    assert phone.get_by_role("link", name="Log out").count() == 0

    tokens = page.get_by_role("region", name="API tokens")
    tokens.get_by_label("Token name").fill("laptop script")
    tokens.get_by_role("button", name="Create token").click()
    tokens.get_by_text("copy it now").wait_for()
    screenshot(page, "account-03-sessions-and-tokens")
    tokens.get_by_role("button", name="Revoke laptop script").click()
    tokens.get_by_text("No tokens.").wait_for()

    delete = page.get_by_role("region", name="Delete account")
    delete.get_by_label("Password to delete").fill(password)
    assert delete.get_by_role("button", name="Delete my account").is_disabled()
    delete.get_by_label("I understand my account is deleted for good").check()
    delete.get_by_role("button", name="Delete my account").click()
    page.wait_for_url("**/login")
    user.refresh_from_db()
    assert not user.is_active and user.email.endswith("@deleted.invalid")
    assert not User.objects.filter(email="tom@example.com").exists()
    assert page.console_errors == []
