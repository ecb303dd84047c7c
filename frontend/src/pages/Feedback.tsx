import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { Link, useParams } from 'react-router-dom'
import { api } from '../api/client'
import { useSubmit, useAutosavedDraft } from '../api/autosave'
import { roleOf, useInterview, type InterviewDetail } from '../api/interviews'
import { keys, useFramework } from '../api/queries'
import { useSubmissionState } from '../api/scorecard'
import type { Feedback, FeedbackInput, Framework, Me, SubmissionState } from '../api/types'
import { ErrorMessage, fieldErrors, Loaded, Spinner } from '../components/forms'
import { useTimeZone } from '../lib/me'
import { useAction } from '../lib/useAction'
import { formatDateTime } from '../lib/time'
import { FeedbackSummary, SaveStatus, Sealed } from './Scorecard'

const EMPTY: FeedbackInput = {
  usefulness: null,
  specificity: null,
  preparedness: null,
  comment: '',
  self_assessment: {},
}

function fromOutput(feedback: Feedback): FeedbackInput {
  return {
    usefulness: feedback.usefulness,
    specificity: feedback.specificity,
    preparedness: feedback.preparedness,
    comment: feedback.comment,
    self_assessment: { ...feedback.self_assessment },
  }
}

type RatingKey = 'usefulness' | 'specificity' | 'preparedness'
type Rating = { key: RatingKey; label: string; hint: string }

// Step 1, before the scorecard can be read: how the interviewer conducted the interview.
const CONDUCT: Rating[] = [
  { key: 'preparedness', label: 'How prepared was the interviewer?', hint: '1 = winged it, 5 = knew the question deeply' },
]
// Step 2, optional, once blind release shows the scorecard: how good its feedback was.
const ON_THE_FEEDBACK: Rating[] = [
  { key: 'usefulness', label: 'How useful was the feedback?', hint: '1 = not at all, 5 = changed how I prepare' },
  { key: 'specificity', label: 'How specific was it?', hint: '1 = generic, 5 = pointed at exact moments' },
]

/** One 1–5 rating as a group of radio buttons. */
function RatingField({
  rating,
  value,
  onChange,
  disabled,
  errors,
}: {
  rating: Rating
  value: number | null | undefined
  onChange: (value: number) => void
  disabled: boolean
  errors: string[]
}) {
  return (
    <fieldset disabled={disabled} aria-describedby={`${rating.key}-hint`}>
      <legend>{rating.label}</legend>
      <div className="checks">
        {[1, 2, 3, 4, 5].map((v) => (
          <label key={v} className="check">
            <input type="radio" name={rating.key} value={v} checked={value === v} onChange={() => onChange(v)} />
            {v}
          </label>
        ))}
      </div>
      <p className="hint" id={`${rating.key}-hint`}>
        {rating.hint}
      </p>
      {errors.length > 0 && <p className="field-error">{errors.join(' ')}</p>}
    </fieldset>
  )
}

export function FeedbackPage({ me }: { me: Me }) {
  const id = Number(useParams().id)
  const interview = useInterview(id)
  const framework = useFramework()
  const state = useSubmissionState(id)
  return (
    <Loaded query={interview}>
      {(iv) => (
        <Loaded query={framework}>
          {(fw) => (
            <Loaded query={state}>
              {(st) =>
                roleOf(iv, me) === 'candidate' ? (
                  <FeedbackForm interview={iv} framework={fw} state={st} />
                ) : (
                  <ReceivedFeedback interview={iv} released={st.theirs_released} />
                )
              }
            </Loaded>
          )}
        </Loaded>
      )}
    </Loaded>
  )
}

function FeedbackForm({ interview, framework, state }: { interview: InterviewDetail; framework: Framework; state: SubmissionState }) {
  const zone = useTimeZone()
  const queryClient = useQueryClient()
  const { draft, saved, setSaved, loadError, saveState, saveError, update, flush } = useAutosavedDraft({
    path: '/api/interviews/{interview_id}/interviewer-feedback/',
    interviewId: interview.id,
    exists: state.mine !== 'not_started',
    fromOutput,
    empty: () => EMPTY,
  })
  const { submit, error: submitError, busy } = useSubmit('/api/interviews/{interview_id}/interviewer-feedback/submit/', interview.id, flush)
  if (loadError) return <ErrorMessage error={loadError} />
  if (!draft) return <Spinner />
  const submitted = saved?.status === 'submitted'
  const error = submitError ?? saveError

  const onSubmit = async () => {
    const result = await submit()
    if (!result) return
    setSaved(result)
    void queryClient.invalidateQueries({ queryKey: keys.submissions(interview.id) })
    void queryClient.invalidateQueries({ queryKey: keys.agenda })
    void queryClient.invalidateQueries({ queryKey: keys.scorecard(interview.id) })
    void queryClient.invalidateQueries({ queryKey: keys.reports })
  }

  return (
    <section className="narrow-wide">
      <h1>Your feedback on {interview.interviewer.display_name}</h1>
      <p className="muted">
        {interview.question.title}
        {saved?.status !== 'submitted' && <> · submit by {formatDateTime(state.deadline_at, zone)}</>}
      </p>
      {submitted ? (
        <p className="success" role="status">
          Feedback submitted. <Link to={`/interviews/${interview.id}/scorecard`}>See the scorecard you received</Link>
        </p>
      ) : (
        <SaveStatus state={saveState} error={saveError} />
      )}
      <div className="card">
        <h2>1. The interviewer’s conduct</h2>
        <p className="muted">
          How the interview itself went. How useful their written feedback was comes after, once you can read it.
        </p>
        {CONDUCT.map((rating) => (
          <RatingField
            key={rating.key}
            rating={rating}
            value={draft[rating.key]}
            onChange={(value) => update((d) => ({ ...d, [rating.key]: value }))}
            disabled={submitted}
            errors={fieldErrors(error, rating.key)}
          />
        ))}
        <div className="field">
          <label htmlFor="comment">Comment for the interviewer</label>
          <textarea id="comment" value={draft.comment ?? ''} readOnly={submitted} onChange={(e) => update((d) => ({ ...d, comment: e.target.value }))} />
        </div>
      </div>
      <div className="card">
        <h2>Rate yourself (optional)</h2>
        <p className="muted">How did each step go, 1–4? Only you see this next to the interviewer’s scores.</p>
        <table className="self-assessment">
          <thead>
            <tr>
              <th scope="col">Step</th>
              {[1, 2, 3, 4].map((v) => (
                <th scope="col" key={v}>
                  {v}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {framework.steps.map((step) => (
              <tr key={step.number}>
                <th scope="row">
                  {step.number}. {step.name}
                </th>
                {[1, 2, 3, 4].map((v) => (
                  <td key={v}>
                    <input
                      type="radio"
                      disabled={submitted}
                      aria-label={`Step ${step.number}: ${v}`}
                      name={`self-${step.number}`}
                      checked={draft.self_assessment?.[String(step.number)] === v}
                      onChange={() => update((d) => ({ ...d, self_assessment: { ...d.self_assessment, [String(step.number)]: v } }))}
                    />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {fieldErrors(error, 'self_assessment').length > 0 && <p className="field-error">{fieldErrors(error, 'self_assessment').join(' ')}</p>}
      </div>
      {!submitted && (
        <div className="card">
          <ErrorMessage error={submitError} shownFields={['preparedness', 'self_assessment']} />
          <div className="actions">
            <button type="button" className="primary" onClick={onSubmit} disabled={busy}>
              {busy ? 'Submitting…' : 'Submit feedback'}
            </button>
            <span className="muted">Submitting releases the interviewer’s scorecard to you once they have submitted it.</span>
          </div>
        </div>
      )}
      <RateTheFeedback interview={interview} feedback={saved} onRated={setSaved} released={state.theirs_released} />
    </section>
  )
}

/** Step 2 (optional): rate the scorecard once blind release lets the candidate read it. */
function RateTheFeedback({
  interview,
  feedback,
  onRated,
  released,
}: {
  interview: InterviewDetail
  feedback: Feedback | null
  onRated: (feedback: Feedback) => void
  released: boolean
}) {
  const submitted = feedback?.status === 'submitted'
  const scorecard = useQuery({
    queryKey: keys.scorecard(interview.id),
    queryFn: () => api.get('/api/interviews/{interview_id}/scorecard/', { path: { interview_id: interview.id } }),
    enabled: submitted && released,
    retry: false,
  })
  const [ratings, setRatings] = useState<{ usefulness: number | null; specificity: number | null }>({ usefulness: null, specificity: null })
  const { run, error, busy } = useAction()
  const rated = feedback?.usefulness != null || feedback?.specificity != null
  const send = () =>
    run(async () => {
      const { usefulness, specificity } = ratings
      if (usefulness === null) return // the button waits for it
      const body = { usefulness, specificity }
      onRated(await api.post('/api/interviews/{interview_id}/interviewer-feedback/ratings/', { path: { interview_id: interview.id }, body }))
    })
  return (
    <div className="card" data-testid="rate-the-feedback">
      <h2>2. The feedback you received (optional)</h2>
      {!submitted ? (
        <p className="muted">Once you have submitted the part above and the scorecard is released, you can say how useful it was.</p>
      ) : rated ? (
        <p className="success" role="status">
          You rated the feedback: useful {feedback?.usefulness ?? '—'} / 5, specific {feedback?.specificity ?? '—'} / 5. Thank you.
        </p>
      ) : scorecard.data ? (
        <>
          <p className="muted">
            Now that you can read <Link to={`/interviews/${interview.id}/scorecard`}>the scorecard</Link>, how good was it?
          </p>
          {ON_THE_FEEDBACK.map((rating) => (
            <RatingField
              key={rating.key}
              rating={rating}
              value={ratings[rating.key as 'usefulness' | 'specificity']}
              onChange={(value) => setRatings((r) => ({ ...r, [rating.key]: value }))}
              disabled={busy}
              errors={fieldErrors(error, rating.key)}
            />
          ))}
          <ErrorMessage error={error} shownFields={['usefulness', 'specificity']} />
          <div className="actions">
            <button type="button" className="primary" onClick={send} disabled={busy || ratings.usefulness === null}>
              {busy ? 'Sending…' : 'Send these ratings'}
            </button>
            <span className="muted">Sent once; they cannot change afterwards.</span>
          </div>
        </>
      ) : released && scorecard.isPending ? (
        <Spinner />
      ) : (
        <p className="notice">
          <span className="badge warn">Sealed</span> The scorecard is not released yet: it is when your interviewer has submitted it, or at
          the deadline. Come back then to rate it.
        </p>
      )}
    </div>
  )
}

function ReceivedFeedback({ interview, released }: { interview: InterviewDetail; released: boolean }) {
  const feedback = useQuery({
    queryKey: keys.feedback(interview.id),
    queryFn: () => api.get('/api/interviews/{interview_id}/interviewer-feedback/', { path: { interview_id: interview.id } }),
    enabled: released,
  })
  return (
    <section>
      <h1>Feedback from {interview.candidate.display_name}</h1>
      <Sealed sealed={!released} error={feedback.error} what="Their feedback">
        {feedback.isPending ? <Spinner /> : feedback.data && <FeedbackSummary feedback={feedback.data} />}
      </Sealed>
    </section>
  )
}
