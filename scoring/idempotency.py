"""Idempotency-Key support for the submit endpoints: a retry replays the stored outcome.

Follows the IETF httpapi Idempotency-Key draft: the same key with a different request is 422.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from rest_framework.request import Request
from rest_framework.response import Response

from scoring.models import IdempotencyRecord
from sevenstep.apitools import SignedInRequest
from sevenstep.errors import ApplicationError, Conflict

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"


def _key(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    key = key.strip()
    if not 1 <= len(key) <= 255 or not key.isprintable():
        raise ApplicationError(
            f"{HEADER} must be 1-255 printable characters.",
            code="invalid_idempotency_key",
        )
    return key


def _fingerprint(scope: str, request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str)
    return hashlib.sha256(f"{scope}\n{body}".encode()).hexdigest()


def _replay(record: IdempotencyRecord, digest: str) -> Response:
    if record.request_hash != digest:
        raise ApplicationError(
            f"This {HEADER} was already used for a different request.",
            code="idempotency_key_reused",
            status_code=422,
        )
    return Response(record.response, status=record.status_code, headers={REPLAYED_HEADER: "true"})


def idempotent(
    request: SignedInRequest, *, scope: str, produce: Callable[[], Response]
) -> Response:
    """Run produce() once per (user, key); a retry with the key gets the stored response."""
    key = _key(request)
    if key is None:
        return produce()
    digest = _fingerprint(scope, request)

    def stored() -> IdempotencyRecord | None:
        return IdempotencyRecord.objects.filter(user=request.user, key=key).first()

    record = stored()
    if record is not None:
        return _replay(record, digest)
    try:
        with transaction.atomic():
            response = produce()
            if 200 <= response.status_code < 300:
                IdempotencyRecord.objects.create(
                    user=request.user,
                    key=key,
                    scope=scope,
                    request_hash=digest,
                    status_code=response.status_code,
                    response=response.data,
                )
            return response
    except (IntegrityError, Conflict):
        # A concurrent request with this key may have won the race: answer as it did.
        record = stored()
        if record is None:
            raise
        return _replay(record, digest)
