"""Who interviews whom, when, on which question: the optimisation behind every matching run.

Pure computation on plain data (no database), so the benchmark and the tests drive it directly;
interviews.selectors.matching loads the problem from the database and
interviews.services.matching books the plan. The parts:
`model` (the plain data in and out, and each request's priority), `rounds` (the rounds and
buckets of a run, and what a booking takes away), `bucket` (a bucket's edges and their weights),
`solve` (the matching itself) and `questions` (which question each interview gets).

The objective, maximised
------------------------
Every booked pair (a, b) is worth

    BASE * interviews                        100 per interview (a swap is two): a booking
                                             matters more than any preference
  + 3 * level closeness                      1 - |level gap| / 3 (gaps above 2 are not allowed)
  + 3 * domain closeness                     Jaccard of the wanted domains; 0.5 if one wants any
  + 2 * overlapping time                     free time both share around the slot, capped at 3 h
  + 1 * [the interviewer knows the question] they did it as a candidate (swap: 0.5 per half)
  + priority(a) + priority(b)

    priority(u) = 4 * reliability            1 - 0.35 per no-show - 0.15 per late cancellation
                                             - 0.05 per late reschedule (last 90 days), >= 0
                + 1 * (1 + clip((given - received) / 4, -1, 1))   the reciprocity ledger:
                                             people who only take interviews wait longer
                + 2 * min(days waiting / 7, 1)
                + 1 * [reported a partner's no-show in the last 7 days]   the offered re-match

and the plan maximises the sum over all bookings. BASE dwarfs the other terms (at most 25
together), so a plan with more interviews wins unless that costs a long chain of exchanges;
among plans of the same size the preferences decide. Counting interviews rather than pairs makes
two swap-seekers prefer each other, which is the point of a swap.

Hard rules: roles fit (candidate with interviewer or swap, interviewer with swap, swap with swap
for a 90-minute swap); both are free for the whole interview and clear of their bookings; level
gap at most 2; no partner again within the no-repeat window; the weekly cap of each request:
at most max_per_week interviews in any 7 days in a row (a rolling window, so a week's worth
cannot land on a Sunday and another on the Monday after; a swap counts twice; every interview
of the person counts, however it was booked); the candidate gets a question they have never
seen in any role (past, live or booked, as interviewer or candidate: interviews.selectors
defines "seen" once), never one their interviewer is booked to take as a candidate; the
question the candidate asked to practise while it is still fresh for them, else where possible
one the interviewer did as a candidate. A pair with no such question left in the bank is never
paired (its edge is left out, so each finds another partner or waits); a swap needs two
different ones. Within a run, every booking adds its questions to both people's seen set
before the next round.

How it is solved
----------------
Time is cut into 15-minute cells and the start times into buckets (2 hours by default). Buckets
are solved in time order: the graph of requests that can start in the bucket, with an edge per
feasible pair weighted as above, pruned to each request's best TOP_K partners so it stays sparse,
goes to an exact maximum-weight matching (Edmonds' blossom algorithm in rustworkx; the same
algorithm in networkx gives the same optimum far more slowly, and HiGHS on the matching integer
programme stalls on these near-equal weights, see bench/README.md). Matched requests leave the
later buckets, so the soonest good slot wins. A run repeats this in rounds (each request gets at
most one more booking per round, which spreads interviews fairly) until a round books nothing or
max_rounds is reached, so running again at once books nothing new.
"""

from interviews.services.pairing.model import (
    CELL,
    INTERVIEW_CELLS,
    ROLE_CANDIDATE,
    ROLE_CODES,
    ROLE_INTERVIEWER,
    ROLE_SWAP,
    SWAP_CELLS,
    Pairing,
    Plan,
    Problem,
    QuestionRef,
    Seeker,
    Weights,
    pair_key,
    priority,
)
from interviews.services.pairing.questions import choose_question
from interviews.services.pairing.rounds import plan
from interviews.services.pairing.solve import max_weight_matching

__all__ = [
    "CELL",
    "INTERVIEW_CELLS",
    "ROLE_CANDIDATE",
    "ROLE_CODES",
    "ROLE_INTERVIEWER",
    "ROLE_SWAP",
    "SWAP_CELLS",
    "Pairing",
    "Plan",
    "Problem",
    "QuestionRef",
    "Seeker",
    "Weights",
    "choose_question",
    "max_weight_matching",
    "pair_key",
    "plan",
    "priority",
]
