"""What matching thinks of me: reliability and the reciprocity ledger."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from interviews import selectors
from interviews.serializers import StandingOutput
from interviews.services import pairing
from sevenstep.apitools import SignedInRequest


class StandingApi(APIView):
    @extend_schema(
        responses=StandingOutput,
        summary="My reliability and interviews given vs received, as matching weighs them",
    )
    def get(self, request: SignedInRequest) -> Response:
        user_id = request.user.pk
        reliability = selectors.reliability_of(user_ids=[user_id])[user_id]
        given, received = selectors.ledger_of(user_ids=[user_id])[user_id]
        score = pairing.priority(
            reliability=reliability, given=given, received=received, waited_days=0
        )
        return Response(
            StandingOutput(
                {
                    "reliability": reliability,
                    "interviews_given": given,
                    "interviews_received": received,
                    "priority": round(score, 3),
                }
            ).data
        )
