import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Link, useParams } from 'react-router-dom'
import { ApiError, api } from '../api/client'
import { roleOf, useInterview, type InterviewDetail } from '../api/interviews'
import { keys, labelOf, useFramework } from '../api/queries'
import { useSubmit, type SaveState } from '../api/autosave'
import {
  humanize,
  missingForSubmit,
  RECOMMENDATIONS,
  togglePitfall,
  useScorecardDraft,
  useSubmissionState,
  withStep,
} from '../api/scorecard'
import { useRubric } from '../api/interviews'
import type { Feedback, Framework, Me, Rubric, SubmissionState } from '../api/types'
import { ConfirmDialog } from '../components/ConfirmDialog'
import { ErrorMessage, Loaded, Spinner } from '../components/forms'
import { MarkdownView } from '../components/MarkdownView'
import { LevelDescriptors, StepScoreFields } from '../components/StepScoreFields'
import { useTimeZone } from '../lib/me'
import { formatDateTime } from '../lib/time'

export function SaveStatus({ state, error }: { state: SaveState; error: unknown }) {
  return (
    <div className="save-status" role="status" aria-live="polite">
      {state === 'saving' && <span className="badge info">Saving draft…</span>}
      {state === 'saved' && <span className="badge ok">Draft saved</span>}
      {state === 'error' && (
        <>
          <span className="badge bad">Draft not saved</span>
          <ErrorMessage error={error} />
        </>
      )}
    </div>
  )
}

export function ScorecardPage({ me }: { me: Me }) {
  const id = Number(useParams().id)
  const interview = useInterview(id)
  const rubric = useRubric()
  const framework = useFramework()
  const state = useSubmissionState(id)
  return (
    <Loaded query={interview}>
      {(iv) => (
        <Loaded query={rubric}>
          {(rb) => (
            <Loaded query={framework}>
              {(fw) => (
                <Loaded query={state}>
                  {(st) =>
                    roleOf(iv, me) === 'interviewer' ? (
                      <ScorecardForm interview={iv} rubric={rb} framework={fw} state={st} />
                    ) : (
                      <ReceivedScorecard interview={iv} framework={fw} released={st.theirs_released} />
                    )
                  }
                </Loaded>
              )}
            </Loaded>
          )}
        </Loaded>
      )}
    </Loaded>
  )
}

function ScorecardForm({
  interview,
  rubric,
  framework,
  state,
}: {
  interview: InterviewDetail
  rubric: Rubric
  framework: Framework
  state: SubmissionState
}) {
  const zone = useTimeZone()
  const steps = framework.steps.map((s) => s.number)
  const [confirming, setConfirming] = useState(false)
  const { draft, saved: scorecard, loadError, saveState, saveError, update, flush, setSaved } = useScorecardDraft(
    interview.id,
    rubric.version,
    steps,
    state,
  )
  const { submit: send, error: submitError, busy: submitting } = useSubmit(
    '/api/interviews/{interview_id}/scorecard/submit/',
    interview.id,
    flush,
  )
  const queryClient = useQueryClient()
  const privateNotes = usePrivateNotes(interview.id)

  if (loadError) return <ErrorMessage error={loadError} />
  if (!draft) return <Spinner />
  const submitted = scorecard?.status === 'submitted'
  const sections = new Map(rubric.sections.map((s) => [s.step, s]))
  const crossCutting = rubric.sections.find((s) => s.step === null)
  const pitfallsFor = (step: number | null) =>
    rubric.pitfalls.filter((p) => p.step === step).map((p) => ({ tag: p.tag, label: p.label, description: p.description }))
  const missing = missingForSubmit(draft)

  const submit = async () => {
    setConfirming(false)
    const result = await send()
    if (!result) return
    setSaved(result)
    void queryClient.invalidateQueries({ queryKey: keys.submissions(interview.id) })
    void queryClient.invalidateQueries({ queryKey: keys.agenda })
    void queryClient.invalidateQueries({ queryKey: keys.interview(interview.id) })
    void queryClient.invalidateQueries({ queryKey: keys.feedback(interview.id) })
  }

  return (
    <section className="scorecard">
      <h1>Scorecard for {interview.candidate.display_name}</h1>
      <p className="muted">
        {interview.question.title} · rubric v{draft.rubric_version}
        {!submitted && <> · submit by {formatDateTime(state.deadline_at, zone)}</>}
      </p>
      {submitted ? (
        <p className="success" role="status">
          Submitted {scorecard?.submitted_at ? formatDateTime(scorecard.submitted_at, zone) : ''}. A submitted scorecard
          never changes. {interview.candidate.display_name} sees it once they have submitted their feedback on you, or
          after the deadline.
        </p>
      ) : (
        <SaveStatus state={saveState} error={saveError} />
      )}
      {draft.steps.map((row, index) => {
        const section = sections.get(row.step)
        if (!section) return null
        return (
          <div className="card step-card" key={row.step}>
            <StepScoreFields
              section={section}
              row={row}
              index={index}
              onChange={(patch) => update((d) => withStep(d, row.step, patch))}
              pitfalls={pitfallsFor(row.step)}
              checkedPitfalls={(draft.pitfalls ?? []) as string[]}
              onPitfall={(tag, on) => update((d) => togglePitfall(d, tag, on))}
              error={submitError ?? saveError}
              readOnly={submitted}
            />
            <PrivateNotesOfStep step={row.step} notes={privateNotes} />
          </div>
        )
      })}
      <div className="card">
        <h2>{crossCutting?.title ?? 'Communication and trade-offs'}</h2>
        <fieldset disabled={submitted} className="communication-score" data-testid="communication-score">
          <legend>Communication score</legend>
          {/* Every level spelled out, as for the steps: a score means what its descriptors say. */}
          <div className="levels">
            {[1, 2, 3, 4].map((level) => (
              <label key={level} className={`level${draft.communication_score === level ? ' chosen' : ''}`}>
                <span className="level-head">
                  <input
                    type="radio"
                    name="communication"
                    value={level}
                    checked={draft.communication_score === level}
                    onChange={() => update((d) => ({ ...d, communication_score: level }))}
                  />
                  <strong>{level}</strong>
                </span>
                {crossCutting && <LevelDescriptors section={crossCutting} level={level} />}
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset disabled={submitted}>
          <legend>Pitfalls across the interview</legend>
          <div className="checks">
            {pitfallsFor(null).map((p) => (
              <label key={p.tag} className="check" title={p.description}>
                <input
                  type="checkbox"
                  checked={((draft.pitfalls ?? []) as string[]).includes(p.tag)}
                  onChange={(e) => update((d) => togglePitfall(d, p.tag, e.target.checked))}
                />
                {p.label}
              </label>
            ))}
          </div>
        </fieldset>
        <div className="row">
          <div className="field">
            <label htmlFor="recommendation">Recommendation</label>
            <select
              id="recommendation"
              value={draft.recommendation ?? ''}
              disabled={submitted}
              onChange={(e) => update((d) => ({ ...d, recommendation: (e.target.value || null) as typeof d.recommendation }))}
            >
              <option value="">Choose…</option>
              {RECOMMENDATIONS.map((r) => (
                <option key={r} value={r}>
                  {humanize(r)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="pass-level">Would pass at level</label>
            <select
              id="pass-level"
              value={draft.pass_level ?? ''}
              disabled={submitted}
              onChange={(e) => update((d) => ({ ...d, pass_level: (e.target.value || null) as typeof d.pass_level }))}
            >
              <option value="">None</option>
              {framework.levels.map((l) => (
                <option key={l.value} value={l.value}>
                  {l.label}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="field">
          <label htmlFor="summary">Summary for the candidate</label>
          <textarea
            id="summary"
            value={draft.summary ?? ''}
            readOnly={submitted}
            onChange={(e) => update((d) => ({ ...d, summary: e.target.value }))}
          />
        </div>
      </div>
      {!submitted && (
        <div className="card">
          {missing.length > 0 && (
            <ul className="notice" aria-label="Still missing">
              {missing.map((m) => (
                <li key={m}>{m}</li>
              ))}
            </ul>
          )}
          <ErrorMessage error={submitError} shownFields={draft.steps.flatMap((_, i) => [`steps.${i}.score`, `steps.${i}.evidence`])} />
          <div className="actions">
            <button type="button" className="primary" onClick={() => setConfirming(true)} disabled={submitting}>
              {submitting ? 'Submitting…' : 'Submit scorecard'}
            </button>
            <span className="muted">After submitting, the scorecard can no longer change.</span>
          </div>
          <ConfirmDialog
            open={confirming}
            title="Submit the scorecard for good?"
            confirmLabel="Submit for good"
            cancelLabel="Keep editing"
            onConfirm={() => void submit()}
            onCancel={() => setConfirming(false)}
          >
            <p>
              A submitted scorecard never changes: no score, evidence or recommendation can be edited afterwards.{' '}
              {interview.candidate.display_name} sees it once they have submitted their feedback on you, or after the deadline.
            </p>
            {missing.length > 0 && (
              <p className="notice">Still missing: {missing.join(' ')} The server will refuse the submission until these are done.</p>
            )}
          </ConfirmDialog>
        </div>
      )}
      <CandidateFeedback interviewId={interview.id} released={state.theirs_released} />
    </section>
  )
}

/** The interviewer's private notes per step, as the room stored them, to score beside. */
function usePrivateNotes(interviewId: number) {
  const notes = useQuery({
    queryKey: keys.notes(interviewId),
    queryFn: () => api.get('/api/interviews/{interview_id}/notes/', { path: { interview_id: interviewId } }),
  })
  return notes
}

function PrivateNotesOfStep({ step, notes }: { step: number; notes: ReturnType<typeof usePrivateNotes> }) {
  if (notes.error) return <ErrorMessage error={notes.error} />
  if (!notes.data) return null
  const text = notes.data.private?.sections.find((s) => s.step === step)?.text.trim() ?? ''
  return (
    <aside className="private-notes" aria-label={`Your private notes of step ${step}`}>
      <h3>Your private notes</h3>
      {text ? <MarkdownView source={text} label={`Your private notes of step ${step}`} /> : <p className="muted">None for this step.</p>}
    </aside>
  )
}

/** The candidate's feedback on this interviewer, once blind release allows it. */
function CandidateFeedback({ interviewId, released }: { interviewId: number; released: boolean }) {
  const feedback = useQuery({
    queryKey: keys.feedback(interviewId),
    queryFn: () => api.get('/api/interviews/{interview_id}/interviewer-feedback/', { path: { interview_id: interviewId } }),
    enabled: released,
  })
  return (
    <div className="card">
      <h2>The candidate’s feedback on you</h2>
      <Sealed sealed={!released} error={feedback.error} what="Their feedback">
        {feedback.data && <FeedbackSummary feedback={feedback.data} />}
      </Sealed>
    </div>
  )
}

/** Blind release: say plainly what is sealed and why, and show other errors in words. */
export function Sealed({
  sealed = false,
  error,
  what,
  children,
}: {
  sealed?: boolean
  error: unknown
  what: string
  children: React.ReactNode
}) {
  const refused = error instanceof ApiError && (error.code === 'not_released_yet' || error.code.endsWith('_not_started') || error.status === 404)
  if (sealed || refused) {
    return (
      <p className="notice">
        <span className="badge warn">Sealed</span> {what} is released when both of you have submitted, or at the
        deadline.
      </p>
    )
  }
  if (error) return <ErrorMessage error={error} />
  return <>{children}</>
}

export function FeedbackSummary({ feedback }: { feedback: Feedback }) {
  return (
    <dl className="pairs">
      {/* The candidate rates these once the scorecard is released to them, if at all. */}
      <dt>Usefulness of your feedback</dt>
      <dd>{feedback.usefulness != null ? `${feedback.usefulness} / 5` : 'not rated (yet)'}</dd>
      <dt>Specificity</dt>
      <dd>{feedback.specificity != null ? `${feedback.specificity} / 5` : 'not rated (yet)'}</dd>
      <dt>Preparedness</dt>
      <dd>{feedback.preparedness ?? '—'} / 5</dd>
      {feedback.comment && (
        <>
          <dt>Comment</dt>
          <dd>{feedback.comment}</dd>
        </>
      )}
    </dl>
  )
}

/** The candidate's view: the scorecard they received, or why it is still sealed. */
function ReceivedScorecard({ interview, framework, released }: { interview: InterviewDetail; framework: Framework; released: boolean }) {
  const zone = useTimeZone()
  const scorecard = useQuery({
    queryKey: keys.scorecard(interview.id),
    queryFn: () => api.get('/api/interviews/{interview_id}/scorecard/', { path: { interview_id: interview.id } }),
    enabled: released,
  })
  return (
    <section>
      <h1>Your scorecard from {interview.interviewer.display_name}</h1>
      <p className="muted">{interview.question.title}</p>
      <Sealed sealed={!released} error={scorecard.error} what="The scorecard">
        {scorecard.isPending && <Spinner />}
        {scorecard.data && (
          <>
            <p>
              Submitted {scorecard.data.submitted_at ? formatDateTime(scorecard.data.submitted_at, zone) : ''} ·{' '}
              <strong>{scorecard.data.recommendation ? humanize(scorecard.data.recommendation) : 'No recommendation'}</strong>
              {scorecard.data.pass_level && <> · would pass at {labelOf(framework.levels, scorecard.data.pass_level)}</>}
            </p>
            <table>
              <caption className="sr-only">Scores per step</caption>
              <thead>
                <tr>
                  <th scope="col">Step</th>
                  <th scope="col">Score</th>
                  <th scope="col">Evidence</th>
                </tr>
              </thead>
              <tbody>
                {scorecard.data.steps.map((row) => (
                  <tr key={row.step}>
                    <th scope="row">
                      {row.step}. {row.title}
                    </th>
                    <td>{row.not_reached ? 'Not reached' : (row.score ?? '—')}</td>
                    <td>{row.evidence}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {scorecard.data.pitfalls.length > 0 && (
              <p>
                Pitfalls: {scorecard.data.pitfalls.map((p) => labelOf(framework.pitfalls, p)).join(', ')}
              </p>
            )}
            {scorecard.data.summary && <blockquote>{scorecard.data.summary}</blockquote>}
          </>
        )}
      </Sealed>
      <p className="actions">
        <Link to={`/interviews/${interview.id}/feedback`}>Your feedback on the interviewer</Link>
        <Link to="/report">Your weakness report</Link>
      </p>
    </section>
  )
}
