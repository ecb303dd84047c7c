"""Settings: scheduling and scoring."""

from __future__ import annotations

from config.settings.base import env_int

# --- scheduling -----------------------------------------------------------------------
SCHEDULING_WEEKS_AHEAD = env_int("SCHEDULING_WEEKS_AHEAD", 8)  # how far ahead windows may go
SCHEDULING_LATE_CANCEL_HOURS = env_int("SCHEDULING_LATE_CANCEL_HOURS", 12)
SCHEDULING_NO_SHOW_GRACE_MINUTES = env_int("SCHEDULING_NO_SHOW_GRACE_MINUTES", 10)
SCHEDULING_NO_REPEAT_DAYS = env_int("SCHEDULING_NO_REPEAT_DAYS", 30)  # same partner again after
SCHEDULING_MATCH_LEAD_MINUTES = env_int("SCHEDULING_MATCH_LEAD_MINUTES", 120)
SCHEDULING_MATCH_HORIZON_DAYS = env_int("SCHEDULING_MATCH_HORIZON_DAYS", 14)
SCHEDULING_MATCH_BUCKET_MINUTES = env_int("SCHEDULING_MATCH_BUCKET_MINUTES", 120)
SCHEDULING_INSTANT_RELAX_SECONDS = env_int("SCHEDULING_INSTANT_RELAX_SECONDS", 30)
SCHEDULING_INSTANT_STALE_SECONDS = env_int("SCHEDULING_INSTANT_STALE_SECONDS", 60)
# The interviewer's preparation view of the guide opens this long before the start (0: only
# with the room); never for someone also booked as the candidate on the question.
SCHEDULING_GUIDE_PREPARATION_HOURS = env_int("SCHEDULING_GUIDE_PREPARATION_HOURS", 24)

# --- scoring --------------------------------------------------------------------------
# Scorecards and feedback close this long after the interview ends; blind release ends then too.
SCORECARD_DEADLINE_HOURS = env_int("SCORECARD_DEADLINE_HOURS", 48)
# A report rebuild waits this long after a submission, so a burst of submissions costs one build.
REPORT_DEBOUNCE_SECONDS = env_int("REPORT_DEBOUNCE_SECONDS", 10)
# A report names a step the weakest only when it is at least this sure (in percent), and says
# how sure. 65 names it for ~40% of users and is right ~82% of the time on bench/ populations
# (bench/README.md, "Weakness report accuracy"); higher is rarer and more often right.
REPORT_WEAKEST_PERCENT = env_int("REPORT_WEAKEST_PERCENT", 65)
# A nightly rebuild that finds another holding the lock (one still running, or a dead worker's
# session the database has not yet closed) comes back this much later instead of skipping.
REPORT_REBUILD_BUSY_RETRY_SECONDS = env_int("REPORT_REBUILD_BUSY_RETRY_SECONDS", 300)
