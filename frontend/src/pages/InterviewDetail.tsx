import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { Link, useParams } from 'react-router-dom'
import { api } from '../api/client'
import { guideFor, heldTimes, partnerOf, roleOf, statusLabel, useInterview, useRoomOpen, type InterviewDetail } from '../api/interviews'
import type { Me } from '../api/types'
import { ErrorMessage, Field, Loaded } from '../components/forms'
import { GuideStepView } from '../components/Guide'
import { MarkdownView } from '../components/MarkdownView'
import { formatDateTime, formatDuration, formatRange, formatTime, toLocalInput, wallTimeToUtc } from '../lib/time'
import { keys } from '../api/queries'

export function InterviewDetailPage({ me }: { me: Me }) {
  const id = Number(useParams().id)
  const interview = useInterview(id)
  return <Loaded query={interview}>{(iv) => <Detail interview={iv} me={me} />}</Loaded>
}

function Detail({ interview, me }: { interview: InterviewDetail; me: Me }) {
  const zone = me.profile.time_zone ?? 'UTC'
  const role = roleOf(interview, me)
  const partner = partnerOf(interview, me)
  const upcoming = interview.status === 'scheduled'
  const past = interview.status === 'completed'
  const roomOpen = useRoomOpen(interview)
  const held = heldTimes(interview)
  // Kept here: the change form disappears once the interview is no longer scheduled.
  const [notice, setNotice] = useState<string | null>(null)
  return (
    <section>
      <p>
        <Link to="/">← Your interviews</Link>
      </p>
      <h1>{interview.question.title}</h1>
      <dl className="pairs card">
        <dt>{held ? 'Booked for' : 'When'}</dt>
        <dd>{formatRange(interview.starts_at, interview.ends_at, zone)}</dd>
        {held && (
          <>
            <dt>Held</dt>
            <dd data-testid="held">{formatRange(held.from, held.to, zone)}</dd>
          </>
        )}
        <dt>Your role</dt>
        <dd>
          {role === 'interviewer' ? 'Interviewer' : 'Candidate'}
          {interview.single_instead_of_swap && (
            <span className="muted" data-testid="single-not-swap">
              {' '}
              — you asked for a swap, but {partner.display_name} wanted one role (or had room for one more interview that week), so this is
              one interview: there is no second half.
            </span>
          )}
        </dd>
        <dt>Partner</dt>
        <dd>{partner.display_name}</dd>
        <dt>Status</dt>
        <dd>
          {statusLabel(interview.status)}
          {interview.cancel_reason ? ` — ${interview.cancel_reason}` : ''}
        </dd>
      </dl>
      {role === 'interviewer' && interview.question.prompt && (
        <div className="card">
          <h2>The prompt the candidate sees</h2>
          <MarkdownView source={interview.question.prompt} label="Question prompt" />
        </div>
      )}
      {role === 'interviewer' && upcoming && <Preparation interview={interview} zone={zone} />}
      <div className="actions">
        {roomOpen && (
          <Link className="button primary" to={`/interviews/${interview.id}/room`}>
            Join the room
          </Link>
        )}
        {upcoming && !roomOpen && (
          <span className="muted" data-testid="room-opens">
            The room opens {formatDateTime(interview.room_opens_at, zone)},{' '}
            {formatDuration((Date.parse(interview.starts_at) - Date.parse(interview.room_opens_at)) / 1000)} before the start.
          </span>
        )}
        <a className="button" href={`/api/interviews/${interview.id}/invite.ics`} download>
          Add to calendar (.ics)
        </a>
        {past && role === 'interviewer' && (
          <Link className="button" to={`/interviews/${interview.id}/scorecard`}>
            Scorecard
          </Link>
        )}
        {past && role === 'candidate' && (
          <>
            <Link className="button" to={`/interviews/${interview.id}/feedback`}>
              Feedback on the interviewer
            </Link>
            <Link className="button" to={`/interviews/${interview.id}/scorecard`}>
              Your scorecard
            </Link>
          </>
        )}
        {past && (
          <Link className="button" to={`/interviews/${interview.id}/replay`}>
            Replay the notes
          </Link>
        )}
      </div>
      <div aria-live="polite">{notice && <p className="success">{notice}</p>}</div>
      {upcoming && <ChangeInterview interview={interview} zone={zone} onChanged={setNotice} />}
    </section>
  )
}

function ChangeInterview({
  interview,
  zone,
  onChanged,
}: {
  interview: InterviewDetail
  zone: string
  onChanged: (message: string) => void
}) {
  const queryClient = useQueryClient()
  const [reason, setReason] = useState('')
  // Half of a swap: the person says whether the other half goes too; nothing is assumed.
  const swap = interview.swap_group != null
  const [both, setBoth] = useState<boolean | null>(null)
  const [when, setWhen] = useState('')
  // Each form shows its own refusal, next to it.
  const [errors, setErrors] = useState<Record<string, unknown>>({})
  // Each action posts to its own typed endpoint; the form's errors are kept under its name.
  const act = async (action: 'cancel' | 'reschedule' | 'no-show', send: () => Promise<unknown>, message: string) => {
    setErrors({})
    try {
      await send()
      onChanged(message)
      await queryClient.invalidateQueries({ queryKey: keys.interview(interview.id) })
      await queryClient.invalidateQueries({ queryKey: keys.interviews })
    } catch (e) {
      setErrors({ [action]: e })
    }
  }
  const started = Date.now() >= Date.parse(interview.starts_at)
  const cancel = (e: FormEvent) => {
    e.preventDefault()
    if (swap && both === null) return setErrors({ cancel: new Error('Say whether to cancel both halves of the swap or only this one.') })
    const body = swap ? { reason, both: both === true } : { reason }
    const message = swap && both ? 'Both halves of the swap cancelled; your partner has been told.' : 'Interview cancelled; your partner has been told.'
    void act('cancel', () => api.post('/api/interviews/{id}/cancel/', { path: { id: interview.id }, body }), message)
  }
  const reschedule = (e: FormEvent) => {
    e.preventDefault()
    const [date, time] = when.split('T')
    if (!date || !time) return setErrors({ reschedule: new Error('Choose a new date and time.') })
    const [year, month, day] = date.split('-').map(Number)
    const [hour, minute] = time.split(':').map(Number)
    const starts = wallTimeToUtc({ year, month, day, hour, minute }, zone)
    void act(
      'reschedule',
      () => api.post('/api/interviews/{id}/reschedule/', { path: { id: interview.id }, body: { starts_at: starts.toISOString() } }),
      'Interview moved; your partner has been told.',
    )
  }
  return (
    <div className="row">
      <form className="card" onSubmit={reschedule}>
        <h2>Reschedule</h2>
        <BothFree interview={interview} zone={zone} onPick={setWhen} />
        <Field label={`New start (${zone})`} name="starts_at" error={errors.reschedule}>
          {(props) => <input {...props} type="datetime-local" value={when} onChange={(e) => setWhen(e.target.value)} />}
        </Field>
        <ErrorMessage error={errors.reschedule} shownFields={['starts_at']} />
        <button type="submit">Reschedule</button>
      </form>
      <form className="card" onSubmit={cancel}>
        <h2>Cancel</h2>
        <Field label="Reason (required)" name="reason" error={errors.cancel} hint="Your partner reads it. Cancelling less than 12 hours before the start counts against reliability.">
          {(props) => <input {...props} required aria-required="true" maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
        {swap && (
          <fieldset className="field" data-testid="cancel-which">
            <legend>This is one half of a swap. Cancel both halves?</legend>
            <label>
              <input type="radio" name="both" required checked={both === true} onChange={() => setBoth(true)} /> Cancel both halves
            </label>
            <label>
              <input type="radio" name="both" required checked={both === false} onChange={() => setBoth(false)} /> Cancel only this one; the
              other half stays booked
            </label>
          </fieldset>
        )}
        <div className="actions">
          <button type="submit" className="danger">
            {swap && both ? 'Cancel both interviews' : 'Cancel interview'}
          </button>
          {started && (
            <button type="button" onClick={() => void act(
                  'no-show',
                  () => api.post('/api/interviews/{id}/no-show/', { path: { id: interview.id } }),
                  'No-show reported. We will offer you a new match.',
                )}>
              Report a no-show
            </button>
          )}
        </div>
        <ErrorMessage error={errors.cancel} shownFields={['reason']} />
        <ErrorMessage error={errors['no-show']} />
      </form>
    </div>
  )
}

/** The interviewer's preparation view of the guide, or when it opens (the server decides). */
function Preparation({ interview, zone }: { interview: InterviewDetail; zone: string }) {
  const steps = [1, 2, 3, 4, 5, 6, 7]
    .map((step) => ({ step, guide: guideFor(interview, step) }))
    .filter((item) => item.guide !== null)
  if (steps.length === 0) {
    const opens = interview.guide_available_at
    if (!opens) return null
    const withRoom = Date.parse(opens) === Date.parse(interview.room_opens_at)
    return (
      <p className="muted" data-testid="guide-opens">
        The interviewer guide opens {withRoom ? 'with the room, ' : 'for preparation '}
        {formatDateTime(opens, zone)}.
      </p>
    )
  }
  return (
    <div className="card" data-testid="guide-preparation">
      <h2>Prepare: the interviewer guide</h2>
      <p className="muted">For you alone; the candidate never sees it.</p>
      {steps.map(({ step, guide }) => (
        <section key={step}>
          <h3>Step {step}</h3>
          <GuideStepView guide={guide!} />
        </section>
      ))}
    </div>
  )
}

/** When both people are free for the whole interview (both halves of a swap), in my zone. */
function BothFree({ interview, zone, onPick }: { interview: InterviewDetail; zone: string; onPick: (local: string) => void }) {
  const times = useQuery({
    queryKey: keys.freeTimes(interview.id),
    queryFn: () => api.get('/api/interviews/{id}/free-times/', { path: { id: interview.id } }).then((body) => body.times),
  })
  if (times.isPending) return null
  if (times.error) return <ErrorMessage error={times.error} />
  if (!times.data.length)
    return (
      <p className="muted" data-testid="both-free">
        You and your partner share no free time in your published availability yet; add windows on the Availability page, or pick a time
        inside your partner's.
      </p>
    )
  return (
    <div data-testid="both-free">
      <p>You are both free (times in {zone}):</p>
      <ul>
        {times.data.map((t) => (
          <li key={t.starts_at}>
            {formatRange(t.starts_at, t.ends_at, zone)}, start by {formatTime(t.latest_start, zone)}{' '}
            <button type="button" className="button small" onClick={() => onPick(toLocalInput(t.starts_at, zone))}>
              Pick {formatTime(t.starts_at, zone)}
            </button>
          </li>
        ))}
      </ul>
    </div>
  )
}
