"""Accounts that existed before email verification keep being matched: their emails count as
verified (they were already booking strangers; locking them out would cancel nothing and help
no one). Erased accounts get no address."""

from django.db import migrations


def mark_verified(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    have = set(EmailAddress.objects.values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user_id=pk, email=email.lower(), verified=True, primary=True)
            for pk, email in User.objects.exclude(email__endswith="@deleted.invalid")
            .exclude(pk__in=have)
            .values_list("pk", "email")
            .iterator()
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_api_tokens_and_safe_names"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(mark_verified, migrations.RunPython.noop)]
