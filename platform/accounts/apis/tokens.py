"""API tokens: list, create and revoke my tokens."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services
from accounts.serializers import (
    TokenCreatedOutput,
    TokenCreateInput,
    TokenSummaryOutput,
)
from sevenstep.apitools import SignedInRequest, body, paginated
from sevenstep.pagination import Pagination


class TokenListApi(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    @extend_schema(responses=TokenSummaryOutput(many=True), summary="List my API tokens")
    def get(self, request: SignedInRequest) -> Response:
        tokens = selectors.api_tokens_live(user=request.user)
        return paginated(self, request, tokens, TokenSummaryOutput)

    @extend_schema(
        request=TokenCreateInput,
        responses={201: TokenCreatedOutput},
        summary="Create a named API token (its secret is shown only now)",
    )
    def post(self, request: SignedInRequest) -> Response:
        data = body(request, TokenCreateInput)
        token, secret = services.api_token_create(
            user=request.user,
            name=data["name"],
            days=data.get("expires_in_days"),
        )
        created = {**TokenSummaryOutput(token).data, "token": secret}
        return Response(created, status=status.HTTP_201_CREATED)


class TokenRevokeApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None}, summary="Revoke one of my API tokens")
    def delete(self, request: SignedInRequest, token_id: int) -> Response:
        services.api_token_revoke(user=request.user, token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
