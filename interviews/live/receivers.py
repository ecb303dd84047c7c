"""The live room's reactions to account erasure (the user's recorded conversations go) and to
a new database connection of its store thread."""

from __future__ import annotations

import threading
from typing import Any

from django.db.backends.signals import connection_created
from django.dispatch import receiver

from accounts.signals import user_erased
from interviews.live import services
from interviews.live.rooms.commit import STORE_THREAD


@receiver(user_erased)
def forget_recordings(sender: Any, user: Any, **kwargs: Any) -> None:
    """Delete the recordings of every interview the erased user took part in."""
    services.recordings_erase_for_user(user_id=user.pk)


@receiver(connection_created)
def prepare_store_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Each connection the store thread opens, its first and every reconnect."""
    if threading.current_thread().name.startswith(STORE_THREAD):
        services.store_connection_prepare(db=connection)
