"""The question bank as candidates and interviewers browse it (never the guide)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interviews import selectors
from interviews.serializers import QuestionFilter, QuestionOutput
from sevenstep.apitools import paginated
from sevenstep.pagination import Pagination
from sevenstep.serializers import query


class QuestionListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        parameters=[QuestionFilter],
        responses=QuestionOutput(many=True),
        summary="The question bank, filtered by domain and level (no interviewer guides)",
    )
    def get(self, request: Request) -> Response:
        filters = query(request, QuestionFilter)
        questions = selectors.question_list(
            domain=filters.get("domain"), level=filters.get("level")
        )
        return paginated(self, request, questions, QuestionOutput)
