"""The live room's reactions to account erasure: the user's recorded conversations go."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from accounts.signals import user_erased
from interviews.live import services


@receiver(user_erased)
def forget_recordings(sender: Any, user: Any, **kwargs: Any) -> None:
    """Delete the recordings of every interview the erased user took part in."""
    services.recordings_erase_for_user(user_id=user.pk)
