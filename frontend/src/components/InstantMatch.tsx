import { useEffect, useState } from 'react'
import { useNavigate } from 'react-router-dom'
import { api } from '../api/client'
import {
  InstantWatch,
  matchedInterview,
  pushStatusText,
  queueText,
  roleLabel,
  swapNote,
  widensText,
  type InstantRole,
  type InstantState,
  type PushStatus,
} from '../lib/instantMatch'
import { wsOrigin } from '../live/useLiveDocument'
import { ErrorMessage } from './forms'
import type { InstantInput } from '../api/types'

/** "Match me now": join the instant queue, wait with a visible state, leave at any time. */
export function InstantMatch() {
  const navigate = useNavigate()
  const [role, setRole] = useState('candidate')
  const [waiting, setWaiting] = useState(false)
  const [state, setState] = useState<InstantState | null>(null)
  const [push, setPush] = useState<PushStatus>('connecting')
  const [error, setError] = useState<unknown>(null)
  const [seconds, setSeconds] = useState(0)

  useEffect(() => {
    if (!waiting) return
    const started = Date.now()
    const ticker = setInterval(() => setSeconds(Math.round((Date.now() - started) / 1000)), 1000)
    const watch = new InstantWatch({
      socketUrl: `${wsOrigin()}/ws/match/instant/`,
      poll: () => api.get('/api/match/instant/'),
      onPush: setPush,
      onState: setState,
      onMatched: (id) => {
        setWaiting(false)
        navigate(`/interviews/${id}/room`)
      },
      onStopped: ({ state: last, error: refusal }) => {
        if (last) setState(last)
        if (refusal) setError(refusal)
        setWaiting(false)
      },
    })
    const online = () => watch.reconnectNow()
    window.addEventListener('online', online)
    return () => {
      window.removeEventListener('online', online)
      clearInterval(ticker)
      watch.stop()
    }
  }, [waiting, navigate])

  const join = async () => {
    setError(null)
    setSeconds(0)
    try {
      const next = await api.post('/api/match/instant/', { body: { role } as InstantInput })
      setState(next)
      const id = matchedInterview(next)
      if (id) navigate(`/interviews/${id}/room`)
      else setWaiting(true)
    } catch (e) {
      setError(e)
    }
  }
  // Joining again while waiting updates the wish and keeps the place in the queue.
  const switchTo = async (next: InstantRole) => {
    setError(null)
    try {
      const updated = await api.post('/api/match/instant/', { body: { role: next } })
      setRole(next)
      setState(updated)
      const id = matchedInterview(updated)
      if (id) {
        setWaiting(false)
        navigate(`/interviews/${id}/room`)
      }
    } catch (e) {
      setError(e)
    }
  }
  const note = swapNote(role)
  const queue = waiting ? queueText(state?.queue ?? null) : null
  const widens = waiting && state ? widensText(state, Date.now()) : null
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
            {note && (
              <p className="muted" data-testid="swap-note">
                {note}
              </p>
            )}
          </div>
          <button type="button" className="primary" onClick={join}>
            Match me now
          </button>
        </>
      ) : (
        <div className="waiting">
          <span className="spinner" aria-hidden="true" />
          <div>
            {/* The seconds tick outside the live region, so a screen reader hears only real news. */}
            <p role="status" aria-live="polite">
              Looking for a partner…{state?.relaxed ? ' (widening the search to more levels and domains)' : ''}
            </p>
            <p className="muted">Waiting {seconds}s</p>
            {queue && <p data-testid="match-queue">{queue}</p>}
            {state?.suggested_role && (
              <p role="status" aria-live="polite" data-testid="match-hint">
                {state.suggestion}{' '}
                <button type="button" onClick={() => void switchTo(state.suggested_role as InstantRole)}>
                  Switch to {roleLabel(state.suggested_role as InstantRole)}
                </button>
              </p>
            )}
            {widens && (
              <p className="muted" data-testid="match-widens">
                {widens}
              </p>
            )}
            <p role="status" aria-live="polite" data-testid="match-connection" className={`push-${push}`}>
              <span className={`badge ${push === 'live' ? 'ok' : push === 'connecting' ? 'info' : 'warn'}`}>
                {push === 'live' ? 'Live' : push === 'connecting' ? 'Connecting' : 'Polling'}
              </span>{' '}
              {pushStatusText(push)}
            </p>
          </div>
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
