import { useQuery } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import { Link, useParams } from 'react-router-dom'
import { api } from '../api/client'
import { useInterview } from '../api/interviews'
import { useFramework } from '../api/queries'
import type { Me } from '../api/types'
import { ErrorMessage, Loaded, Spinner } from '../components/forms'
import { MarkdownView } from '../components/MarkdownView'
import { useTimeZone } from '../lib/me'
import { fetchReplay, frameAt, momentsOf, type ReplayPage } from '../lib/replay'
import { formatDateTime } from '../lib/time'

export default function ReplayPage({ me: _me }: { me: Me }) {
  const id = Number(useParams().id)
  const zone = useTimeZone()
  const interview = useInterview(id)
  const framework = useFramework()
  const replay = useQuery({
    queryKey: ['replay', id],
    queryFn: () => fetchReplay((path) => api.get<ReplayPage>(path), id),
  })
  const [index, setIndex] = useState<number | null>(null)
  const names = useMemo(() => [...(framework.data?.steps.map((s) => `step-${s.number}`) ?? []), 'scratch'], [framework.data])
  const moments = useMemo(() => (replay.data ? momentsOf(replay.data) : []), [replay.data])
  const shown = index ?? moments.length - 1
  // Only the moment on screen is built: each is the changes up to it, applied in order.
  const frame = useMemo(
    () => (replay.data && shown >= 0 ? frameAt(replay.data, shown, names) : null),
    [replay.data, shown, names],
  )
  return (
    <section>
      <p>
        <Link to={`/interviews/${id}`}>← The interview</Link>
      </p>
      <Loaded query={interview}>{(iv) => <h1>Replay: {iv.question.title}</h1>}</Loaded>
      {replay.error ? (
        <ErrorMessage error={replay.error} />
      ) : replay.isPending || !framework.data ? (
        <Spinner />
      ) : !frame ? (
        <p className="muted">Nothing was recorded for this interview.</p>
      ) : (
        <>
          <div className="card replay-controls">
            <label htmlFor="replay-position">
              Moment {shown + 1} of {moments.length}: <strong>{frame.label}</strong>
              {frame.at && <> at {formatDateTime(frame.at, zone)}</>}
            </label>
            <input
              id="replay-position"
              type="range"
              min={0}
              max={moments.length - 1}
              value={shown}
              onChange={(e) => setIndex(Number(e.target.value))}
            />
            <div className="actions">
              <button type="button" disabled={shown <= 0} onClick={() => setIndex(shown - 1)}>
                ← Previous
              </button>
              <button type="button" disabled={shown >= moments.length - 1} onClick={() => setIndex(shown + 1)}>
                Next →
              </button>
            </div>
          </div>
          {framework.data.steps.map((step) => {
            const text = frame.sections[`step-${step.number}`] ?? ''
            const mine = frame.private?.[`step-${step.number}`] ?? ''
            return (
              <div className={`card${frame.step === step.number ? ' current-frame' : ''}`} key={step.number}>
                <h2>
                  {step.number}. {step.name}
                </h2>
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
