import { useQueryClient } from '@tanstack/react-query'
import { useNavigate } from 'react-router-dom'
import { continueToSecondHalf, secondHalfText, type InterviewDetail } from '../api/interviews'
import type { Me } from '../api/types'
import { useAction } from '../lib/useAction'
import { ErrorMessage } from './forms'
import { keys } from '../api/queries'

/** The swap goes on: one click takes either person into the second half's room, open now. */
export function SecondHalf({ interview, me }: { interview: InterviewDetail; me: Me }) {
  const navigate = useNavigate()
  const queryClient = useQueryClient()
  const { run, busy, error } = useAction()
  const go = () =>
    run(async () => {
      const next = await continueToSecondHalf(interview.id)
      await queryClient.invalidateQueries({ queryKey: keys.interview(next.id) })
      navigate(`/interviews/${next.id}/room`)
    })
  return (
    <div className="notice" data-testid="second-half">
      {secondHalfText(interview, me)}{' '}
      <button type="button" className="primary" disabled={busy} onClick={() => void go()}>
        Continue to the second half
      </button>
      <ErrorMessage error={error} />
    </div>
  )
}
