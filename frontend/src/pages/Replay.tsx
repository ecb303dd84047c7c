import { useQuery } from '@tanstack/react-query'
import { lazy, Suspense, useMemo, useState } from 'react'
import { Link, useParams } from 'react-router-dom'
import { api } from '../api/client'
import { useInterview } from '../api/interviews'
import { keys, useFramework } from '../api/queries'
import type { Me } from '../api/types'
import { ErrorMessage, Loaded, Spinner } from '../components/forms'
import { MarkdownView } from '../components/MarkdownView'
import { ReplayPlayer, usePlayback } from '../components/ReplayPlayer'
import { useTimeZone } from '../lib/me'
import { clamp, eventOffsets, momentAt, stepAt, stepEntry } from '../lib/playback'
import {
  boardSummary,
  fetchReplay,
  frameAt,
  momentsOf,
  stepRun,
  timeOnSteps,
  type ReplayPage,
  type ReplayScores,
} from '../lib/replay'
import { formatClock, formatDateTime, formatDuration } from '../lib/time'

const ReplayBoard = lazy(() => import('../components/ReplayBoard'))

export default function ReplayPage({ me: _me }: { me: Me }) {
  const id = Number(useParams().id)
  const zone = useTimeZone()
  const interview = useInterview(id)
  const framework = useFramework()
  const replay = useQuery({
    queryKey: keys.replay(id),
    queryFn: () => fetchReplay((start) => api.get('/api/interviews/{interview_id}/replay/', { path: { interview_id: id }, query: { start } })),
  })
  // A replay without a recording (or one the server cannot give) shows the notes alone.
  const recording = useQuery({
    queryKey: keys.replayRecording(id),
    queryFn: () => api.get('/api/interviews/{interview_id}/recording/', { path: { interview_id: id } }),
    retry: false,
  })
  const voiced = recording.data?.tracks.length ? recording.data : undefined
  // Answered with a state rather than an error while blind release hides them.
  const scores = useQuery({
    queryKey: keys.replayScores(id),
    queryFn: () => api.get('/api/interviews/{interview_id}/replay/scores/', { path: { interview_id: id } }),
  })
  const playback = usePlayback(voiced)
  const [index, setIndex] = useState<number | null>(null)
  // With voices the moment follows the player's clock; a moment picked by hand holds until
  // the clock moves on to another moment (several events can share one instant).
  const [picked, setPicked] = useState<{ index: number; atMs: number } | null>(null)
  const names = useMemo(() => [...(framework.data?.steps.map((s) => `step-${s.number}`) ?? []), 'scratch'], [framework.data])
  const moments = useMemo(() => (replay.data ? momentsOf(replay.data) : []), [replay.data])
  const offsets = useMemo(() => (voiced ? eventOffsets(moments, voiced.clock_origin) : []), [moments, voiced])
  const followed = momentAt(offsets, playback.positionMs)
  const shown = !voiced
    ? (index ?? moments.length - 1)
    : picked && momentAt(offsets, picked.atMs) === followed
      ? picked.index
      : followed
  const currentStep = stepAt(moments, shown)
  const run = stepRun(moments, shown)
  const spent = useMemo(() => (replay.data ? timeOnSteps(replay.data.events) : {}), [replay.data])
  const anyStep = Object.keys(spent).length > 0

  /** Show a moment; with voices, move the player to it too (and play on, if `andPlay`). */
  const choose = (moment: number, andPlay = false) => {
    if (!voiced) {
      setIndex(moment)
      return
    }
    const at = offsets[moment]
    const to = at === undefined || !playback.span ? playback.positionMs : clamp(playback.span, at)
    setPicked({ index: moment, atMs: to })
    if (at !== undefined) playback.seek(at, andPlay)
  }
  // Only the moment on screen is built: each is the changes up to it, applied in order.
  const frame = useMemo(
    () => (replay.data && shown >= 0 ? frameAt(replay.data, shown, names) : null),
    [replay.data, shown, names],
  )
  // The board has a place on the page once anything was ever drawn on it.
  const drawn = useMemo(
    () => (replay.data && moments.length ? frameAt(replay.data, moments.length - 1, names).board.length > 0 : false),
    [replay.data, moments, names],
  )
  const given = new Map((scores.data?.state === 'shown' ? scores.data.steps : []).map((s) => [s.step, s]))
  /** How long after the moment `from` the moment `to` was, as the clock shows it. */
  const elapsed = (from: string, to: string) => formatClock(Math.max(0, Date.parse(to) - Date.parse(from)) / 1000)
  const sinceStart = (at: string) => elapsed(moments[0].at, at)
  return (
    <section>
      <p>
        <Link to={`/interviews/${id}`}>← The interview</Link>
      </p>
      <Loaded query={interview}>
        {(iv) => (
          <>
            <h1>Replay: {iv.question.title}</h1>
            {iv.question.prompt && (
              <details className="card" open data-testid="replay-prompt">
                <summary>The question</summary>
                <MarkdownView source={iv.question.prompt} label="Question prompt" />
              </details>
            )}
          </>
        )}
      </Loaded>
      {replay.error ? (
        <ErrorMessage error={replay.error} />
      ) : replay.isPending || !framework.data ? (
        <Spinner />
      ) : !frame ? (
        <p className="muted">Nothing was recorded for this interview.</p>
      ) : (
        <>
          {voiced && (
            <ReplayPlayer
              playback={{
                ...playback,
                seek: (at, andPlay) => {
                  setPicked(null)
                  playback.seek(at, andPlay)
                },
              }}
            />
          )}
          <div className="card replay-controls">
            <label htmlFor="replay-position">
              Moment {shown + 1} of {moments.length}: <strong>{frame.label}</strong>
              {frame.at && (
                <>
                  {' '}
                  at {formatDateTime(frame.at, zone)} ({sinceStart(frame.at)} in)
                </>
              )}
            </label>
            <input
              id="replay-position"
              type="range"
              min={0}
              max={moments.length - 1}
              value={shown}
              onChange={(e) => choose(Number(e.target.value))}
            />
            {run && run[1] > run[0] && (
              <>
                <label htmlFor="replay-step-position">
                  Within step {currentStep}: {shown - run[0] + 1} of {run[1] - run[0] + 1},{' '}
                  {elapsed(moments[run[0]].at, frame.at)} into the step
                </label>
                <input
                  id="replay-step-position"
                  type="range"
                  min={run[0]}
                  max={run[1]}
                  value={shown}
                  onChange={(e) => choose(Number(e.target.value))}
                />
              </>
            )}
            <div className="actions">
              <button type="button" disabled={shown <= 0} onClick={() => choose(shown - 1)}>
                ← Previous
              </button>
              <button type="button" disabled={shown >= moments.length - 1} onClick={() => choose(shown + 1)}>
                Next →
              </button>
            </div>
            <ScoresNote scores={scores.data} id={id} zone={zone} />
          </div>
          {drawn && (
            <div className="card" data-testid="replay-board">
              <h2>Diagram board</h2>
              <Suspense fallback={<Spinner />}>
                <ReplayBoard elements={frame.board} label={`The diagram board ${sinceStart(frame.at)} into the interview`} />
              </Suspense>
              <p className="muted" data-testid="replay-board-summary">
                {boardSummary(frame.board)}
              </p>
            </div>
          )}
          {framework.data.steps.map((step) => {
            const text = frame.sections[`step-${step.number}`] ?? ''
            const mine = frame.private?.[`step-${step.number}`] ?? ''
            const current = currentStep === step.number
            const entry = voiced ? stepEntry(moments, step.number) : -1
            return (
              <div
                className={`card${current ? ' current-frame' : ''}`}
                aria-current={current ? 'step' : undefined}
                data-testid={`replay-step-${step.number}`}
                key={step.number}
              >
                <h2>
                  {step.number}. {step.name}
                </h2>
                {anyStep && <StepTime spent={spent[step.number]} budget={step.budget_seconds} step={step.number} />}
                <StepScore score={given.get(step.number)} step={step.number} />
                {entry >= 0 && (
                  <button type="button" className="link-button" aria-label={`Listen from step ${step.number}`} onClick={() => choose(entry, true)}>
                    ▶ Listen from {formatClock(offsets[entry] / 1000)}
                  </button>
                )}
                {text ? <MarkdownView source={text} label={`Notes of step ${step.number}`} /> : <p className="muted">Nothing written yet.</p>}
                {mine && (
                  <aside className="private-notes" aria-label={`Your private notes of step ${step.number}`}>
                    <h3>Your private notes</h3>
                    <MarkdownView source={mine} label={`Private notes of step ${step.number}`} />
                  </aside>
                )}
              </div>
            )
          })}
          {frame.sections.scratch && (
            <div className="card">
              <h2>Scratch</h2>
              <MarkdownView source={frame.sections.scratch} label="Scratch notes" />
            </div>
          )}
        </>
      )}
    </section>
  )
}

/** Time spent on a step against its budget, as the room's clock shows it. */
function StepTime({ spent, budget, step }: { spent: number | undefined; budget: number; step: number }) {
  if (spent === undefined) {
    return (
      <p className="muted" data-testid={`step-time-${step}`}>
        Not reached.
      </p>
    )
  }
  const over = budget > 0 && spent > budget
  return (
    <p className="muted" data-testid={`step-time-${step}`}>
      Time on this step: {formatClock(spent)} of a {formatDuration(budget)} budget
      {over && <span className="badge warn"> over by {formatClock(spent - budget)}</span>}
    </p>
  )
}

type StepScoreGiven = ReplayScores['steps'][number]

/** The interviewer's score for a step, once the viewer may see it. */
function StepScore({ score, step }: { score: StepScoreGiven | undefined; step: number }) {
  if (!score) return null
  return (
    <p data-testid={`step-score-${step}`}>
      {score.not_reached ? (
        <span className="badge">Score: not reached</span>
      ) : (
        <span className="badge info">Score: {score.score} of 4</span>
      )}
    </p>
  )
}

/** Why no scores are shown beside the steps, when they are not. */
function ScoresNote({ scores, id, zone }: { scores: ReplayScores | undefined; id: number; zone: string }) {
  if (!scores || scores.state === 'shown') return null
  if (scores.state === 'not_submitted') {
    return (
      <p className="muted" data-testid="replay-scores-note">
        Your scores show beside each step once you <Link to={`/interviews/${id}/scorecard`}>submit the scorecard</Link>.
      </p>
    )
  }
  return (
    <p className="muted" data-testid="replay-scores-note">
      The interviewer's scores show beside each step once released: when you have sent your feedback and the scorecard
      is in, or {scores.released_by ? `by ${formatDateTime(scores.released_by, zone)}` : 'at the deadline'} at the latest.
    </p>
  )
}
