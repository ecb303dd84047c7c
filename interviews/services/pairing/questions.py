"""Which question an interview gets: the one place a question is chosen."""

from __future__ import annotations

from functools import cache

from interviews.services.pairing.model import QuestionRef, Seeker


def choose_question(
    questions: list[QuestionRef], interviewer: Seeker, candidate: Seeker, exclude: int = -1
) -> int | None:
    """Pick the candidate's best question they have never seen, or None if the bank has none.

    The one place a question is chosen: never one the candidate has seen in any role, never
    one the interviewer is booked to take as a candidate; the one the candidate asked for if it
    is still fresh, else one the interviewer did as a candidate where possible.
    """
    order = _preference(tuple(questions), candidate.domains, candidate.level)
    barred = candidate.seen | interviewer.taking
    fresh = [q for q in order if not barred >> q & 1 and q != exclude]
    if candidate.wanted in fresh:
        return candidate.wanted
    for q in fresh:
        if interviewer.done >> q & 1:
            return q
    return fresh[0] if fresh else None


@cache
def _preference(questions: tuple[QuestionRef, ...], domains: int, level: int) -> list[int]:
    """Question indices, those in the wanted domains and closest in level first."""

    def rank(index: int) -> tuple[int, int, int]:
        q = questions[index]
        outside = 0 if domains == 0 or domains >> q.domain & 1 else 1
        return (outside, abs(q.level - level), index)

    return sorted(range(len(questions)), key=rank)


def knows(interviewer: Seeker, candidate: Seeker) -> bool:
    return (interviewer.done & ~candidate.seen & ~interviewer.taking) != 0
