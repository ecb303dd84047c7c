import { Link } from 'react-router-dom'
import { useSubmissionState } from '../api/scorecard'
import { useTimeZone } from '../lib/me'
import { formatDateTime } from '../lib/time'

/** What is left to do once an interview has ended: the scorecard or feedback, until it is submitted. */
export function AfterTheEnd({ interviewId }: { interviewId: number }) {
  const zone = useTimeZone()
  const state = useSubmissionState(interviewId)
  const s = state.data
  const scorecard = s?.kind === 'scorecard'
  const to = `/interviews/${interviewId}/${scorecard ? 'scorecard' : 'feedback'}`
  return (
    <p className="notice" data-testid="after-the-end">
      The interview has ended; the notes are read-only.{' '}
      {s?.mine === 'submitted' ? (
        <>
          Your {scorecard ? 'scorecard' : 'feedback'} is submitted. <Link to={to}>See it</Link>
        </>
      ) : s ? (
        <>
          <Link to={to}>{scorecard ? 'Finish the scorecard' : 'Give feedback on your interviewer'}</Link> by{' '}
          {formatDateTime(s.deadline_at, zone)}.
        </>
      ) : null}
    </p>
  )
}
