"""Instant-match push: a waiting user's socket hears about their match the moment it is made."""

from __future__ import annotations

from typing import Any

from sevenstep.consumers import CLOSE_UNAUTHENTICATED, BoundedJsonConsumer


def instant_group(user_id: int) -> str:
    return f"instant-match.user-{user_id}"


class InstantMatchConsumer(BoundedJsonConsumer):
    """Server-to-client only: {"type": "matched", "interview_id", "join_url"}."""

    async def connect(self) -> None:
        await self.accept()
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.group = instant_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send_json({"type": "listening"})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # Nothing to say to the server here (joining and leaving go through the HTTP API); the
        # base class has already bounded what a client can make the server decode.
        return

    async def instant_matched(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {
                "type": "matched",
                "interview_id": event["interview_id"],
                "join_url": event["join_url"],
            }
        )
