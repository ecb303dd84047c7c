import { useEffect, useRef, useState } from 'react'
import { useNavigate } from 'react-router-dom'
import { ApiError, api } from '../api/client'
import { ErrorMessage } from './forms'

interface InstantState {
  status?: string
  interview_id?: number | null
  interview?: { id: number } | null
  waiting_since?: string | null
  relaxed?: boolean
}

const POLL_MS = 2000

function matchedInterview(state: InstantState | null): number | null {
  if (!state) return null
  return state.interview_id ?? state.interview?.id ?? null
}

/** "Match me now": join the instant queue, wait with a visible state, leave at any time. */
export function InstantMatch() {
  const navigate = useNavigate()
  const [role, setRole] = useState('candidate')
  const [waiting, setWaiting] = useState(false)
  const [state, setState] = useState<InstantState | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [seconds, setSeconds] = useState(0)
  const timer = useRef<ReturnType<typeof setInterval> | null>(null)

  useEffect(() => {
    if (!waiting) return
    const started = Date.now()
    timer.current = setInterval(async () => {
      setSeconds(Math.round((Date.now() - started) / 1000))
      try {
        const next = await api.get<InstantState>('/api/match/instant/')
        setState(next)
        const id = matchedInterview(next)
        if (id) {
          setWaiting(false)
          navigate(`/interviews/${id}/room`)
        } else if (next.status && !['waiting', 'queued'].includes(next.status)) {
          setWaiting(false)
        }
      } catch (e) {
        // A dropped poll is retried on the next tick; a refusal ends the wait.
        if (e instanceof ApiError && e.status !== 0) {
          setError(e)
          setWaiting(false)
        }
      }
    }, POLL_MS)
    return () => {
      if (timer.current) clearInterval(timer.current)
    }
  }, [waiting, navigate])

  const join = async () => {
    setError(null)
    setSeconds(0)
    try {
      const next = await api.post<InstantState>('/api/match/instant/', { role })
      setState(next)
      const id = matchedInterview(next)
      if (id) navigate(`/interviews/${id}/room`)
      else setWaiting(true)
    } catch (e) {
      setError(e)
    }
  }
  const leave = async () => {
    setError(null)
    try {
      await api.delete('/api/match/instant/')
      setWaiting(false)
      setState(null)
    } catch (e) {
      setError(e)
    }
  }
  return (
    <div className="card">
      <h2>Match me now</h2>
      <p className="muted">Pair with someone online right now for an interview that starts in a few minutes.</p>
      {!waiting ? (
        <>
          <div className="field">
            <label htmlFor="instant-role">I want to be the</label>
            <select id="instant-role" value={role} onChange={(e) => setRole(e.target.value)}>
              <option value="candidate">Candidate</option>
              <option value="interviewer">Interviewer</option>
              <option value="swap">Both (swap)</option>
            </select>
          </div>
          <button type="button" className="primary" onClick={join}>
            Match me now
          </button>
        </>
      ) : (
        <div role="status" aria-live="polite" className="waiting">
          <span className="spinner" aria-hidden="true" />
          <p>
            Looking for a partner… {seconds}s{state?.relaxed ? ' (widening the search to more levels and domains)' : ''}
          </p>
          <button type="button" onClick={leave}>
            Leave the queue
          </button>
        </div>
      )}
      {state?.status && !waiting && !matchedInterview(state) && state.status !== 'left' && (
        <p className="notice">No partner found this time ({state.status}). Try again or publish availability.</p>
      )}
      <ErrorMessage error={error} />
    </div>
  )
}
