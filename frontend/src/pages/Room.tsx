import { lazy, Suspense, useEffect, useMemo, useState } from 'react'
import { useParams } from 'react-router-dom'
import { roleOf, roomGuideFor, statusLabel, useInterview, useRoomOpen, useRubric, type InterviewDetail } from '../api/interviews'
import { useFramework } from '../api/queries'
import { togglePitfall, useScorecardDraft, useSubmissionState, withStep } from '../api/scorecard'
import { AfterTheEnd } from '../components/AfterTheEnd'
import type { Framework, Me, Rubric } from '../api/types'
import { CallPanel } from '../components/CallPanel'
import { CollabEditor } from '../components/CollabEditor'
import { EndInterviewButton } from '../components/EndInterview'
import { GuideStepView } from '../components/Guide'
import { ErrorMessage, Loaded, Spinner } from '../components/forms'
import { MarkdownView } from '../components/MarkdownView'
import { SecondHalf } from '../components/SecondHalf'
import { StepScoreFields } from '../components/StepScoreFields'
import { stepClock } from '../live/clock'
import { summarizeConnection } from '../live/connection'
import { safeColor } from '../live/awareness'
import { sessionView, useControl } from '../live/control'
import { colorFor, useLiveDocument, useOnline, type LiveDocument } from '../live/useLiveDocument'
import { useYText } from '../live/useYText'
import { formatClock, formatDateTime, formatDuration } from '../lib/time'
import { SaveStatus } from './Scorecard'

const Board = lazy(() => import('../components/Board'))

const SCRATCH = 'scratch'
const stepText = (step: number) => `step-${step}`

export default function RoomPage({ me }: { me: Me }) {
  const id = Number(useParams().id)
  const interview = useInterview(id)
  const framework = useFramework()
  return (
    <Loaded query={interview}>
      {/* Keyed by the interview: going on to a swap's second half starts a fresh room. */}
      {(iv) => <Loaded query={framework}>{(fw) => <Room key={iv.id} interview={iv} framework={fw} me={me} />}</Loaded>}
    </Loaded>
  )
}

function Room({ interview, framework, me }: { interview: InterviewDetail; framework: Framework; me: Me }) {
  const role = roleOf(interview, me)
  const isInterviewer = role === 'interviewer'
  const identity = useMemo(
    () => ({ name: me.profile.display_name ?? me.email, role: role ?? 'guest', color: colorFor(me.id).color }),
    [me, role],
  )
  // Before the room opens the server refuses every socket (4425) and nothing typed would be
  // kept, so nothing connects and no editor is shown until then; it opens by itself on time.
  const opened = useRoomOpen(interview)
  const waiting = interview.status === 'scheduled' && !opened
  const notes = useLiveDocument(interview.id, 'notes', identity, !waiting)
  const privateNotes = useLiveDocument(interview.id, 'private', identity, isInterviewer && !waiting)
  const control = useControl(interview.id, !waiting)
  const online = useOnline()
  const session = sessionView(control.state, interview)
  const { status, currentStep } = session
  const ended = status === 'completed'
  const [section, setSection] = useState<string>(stepText(currentStep ?? 1))
  const [view, setView] = useState<'notes' | 'board'>('notes')

  // Follow the interviewer to each new step; anyone can still look at another section.
  useEffect(() => {
    if (currentStep) setSection(stepText(currentStep))
  }, [currentStep])

  const connection = summarizeConnection({
    online,
    notes: notes?.status ?? 'connecting',
    notesSynced: notes?.synced ?? false,
    control: control.status,
    closedReason: notes?.closedReason ?? control.closed,
    retryReason: control.retrying,
  })
  const stepInfo = framework.steps.find((s) => s.number === currentStep) ?? null

  return (
    <div className="room">
      <header className="room-bar">
        <div className="room-title">
          <h1>{interview.question.title}</h1>
          <p className="muted">
            {isInterviewer ? `You interview ${interview.candidate.display_name}` : `${interview.interviewer.display_name} interviews you`}{' '}
            · <span className="badge info">{statusLabel(status)}</span>
          </p>
        </div>
        <div className={`connection badge ${waiting ? 'info' : connection.tone}`} role="status" aria-live="polite" data-testid="connection">
          {waiting ? 'Not open yet' : connection.text}
        </div>
        <Presence control={control.state.presence} notes={notes} />
      </header>
      {!ended && (
        <CallPanel
          interviewId={interview.id}
          partnerName={isInterviewer ? interview.candidate.display_name : interview.interviewer.display_name}
          role={role}
          recording={control.state.recording}
          clockOrigin={session.startedAt ?? interview.starts_at}
          serverOffsetMs={control.state.serverOffsetMs}
        />
      )}

      <section className="step-bar" aria-label="Current step">
        <StepClockView
          step={stepInfo ? `${stepInfo.number}. ${stepInfo.name}` : status === 'completed' ? 'Interview ended' : 'Not started'}
          budgetSeconds={stepInfo?.budget_seconds ?? 0}
          stepStartedAt={control.state.stepStartedAt}
          startedAt={session.startedAt}
          endedAt={session.endedAt}
          serverOffsetMs={control.state.serverOffsetMs}
          running={status === 'live'}
        />
        {isInterviewer && (
          <div className="actions">
            {status === 'scheduled' && !waiting && control.status === 'connected' && (
              <button type="button" className="primary" onClick={() => control.send({ type: 'start' })}>
                Start interview
              </button>
            )}
            {status === 'live' && currentStep !== null && currentStep < framework.steps.length && (
              <button type="button" className="primary" onClick={() => control.send({ type: 'next_step' })}>
                Next step →
              </button>
            )}
            {status === 'live' && <EndInterviewButton onEnd={() => control.send({ type: 'end' })} />}
          </div>
        )}
        {control.actionError && (
          <p className="error" role="alert">
            {control.actionError}
          </p>
        )}
        {ended && <AfterTheEnd interviewId={interview.id} />}
        {ended && interview.second_half != null && <SecondHalf interview={interview} me={me} />}
      </section>

      <div className={`room-body${isInterviewer ? ' with-panel' : ''}`}>
        <section className="workspace" aria-label="Shared workspace">
          <div className="view-tabs" role="tablist" aria-label="Workspace">
            <button type="button" role="tab" aria-selected={view === 'notes'} onClick={() => setView('notes')}>
              Notes
            </button>
            <button type="button" role="tab" aria-selected={view === 'board'} onClick={() => setView('board')}>
              Diagram board
            </button>
          </div>
          {waiting ? (
            <p className="notice" data-testid="room-opens">
              The room opens {formatDateTime(interview.room_opens_at, me.profile.time_zone ?? 'UTC')}. The notes and the board open here by
              themselves then; there is nothing to type into before.
            </p>
          ) : !notes ? (
            <Spinner label="Joining the room…" />
          ) : view === 'notes' ? (
            <NotesView
              notes={notes}
              framework={framework}
              section={section}
              onSection={setSection}
              currentStep={currentStep}
              readOnly={ended}
            />
          ) : (
            <Suspense fallback={<Spinner label="Loading the board…" />}>
              <Board doc={notes.doc} awareness={notes.provider.awareness} readOnly={ended} />
            </Suspense>
          )}
        </section>
        {isInterviewer ? (
          <InterviewerPanel interview={interview} framework={framework} step={currentStep} privateNotes={waiting ? null : privateNotes} readOnly={ended} waiting={waiting} />
        ) : (
          <CandidatePanel interview={interview} framework={framework} step={currentStep} />
        )}
      </div>
    </div>
  )
}

function Presence({ control, notes }: { control: { userId: number; name: string; role: string }[]; notes: LiveDocument | null }) {
  const [, refresh] = useState(0)
  useEffect(() => {
    if (!notes) return
    const awareness = notes.provider.awareness
    const onChange = () => refresh((n) => n + 1)
    awareness.on('change', onChange)
    return () => awareness.off('change', onChange)
  }, [notes])
  // The control channel is authoritative about who is connected; awareness adds cursor colours.
  const colours = new Map<string, string>()
  notes?.provider.awareness.getStates().forEach((state) => {
    const user = state.user as { name?: string; color?: string } | undefined
    if (user?.name && user.color) colours.set(user.name, user.color)
  })
  const people =
    control.length > 0
      ? control
      : [...(notes?.provider.awareness.getStates().values() ?? [])]
          .map((s) => s.user as { name?: string; role?: string } | undefined)
          .filter((u): u is { name: string; role: string } => !!u?.name)
          .map((u, i) => ({ userId: i, name: u.name, role: u.role }))
  return (
    <div className="presence" aria-label="Who is here">
      <span className="sr-only">In the room:</span>
      <ul>
        {people.map((p) => (
          <li key={`${p.userId}-${p.role}`} title={p.role}>
            <span className="dot" style={{ background: safeColor(colours.get(p.name), '#1d6b35') }} aria-hidden="true" />
            {p.name} <span className="muted">({p.role})</span>
          </li>
        ))}
      </ul>
    </div>
  )
}

function StepClockView(props: {
  step: string
  budgetSeconds: number
  stepStartedAt: string | null
  startedAt: string | null
  endedAt: string | null
  serverOffsetMs: number
  running: boolean
}) {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (!props.running) return
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [props.running])
  const clock = stepClock(props, now)
  return (
    <div className="clock">
      <div>
        <span className="label">Current step</span>
        <strong data-testid="current-step">{props.step}</strong>
      </div>
      {(props.running || props.endedAt) && props.stepStartedAt && props.budgetSeconds > 0 && (
        <div className={clock.overBudget ? 'over' : undefined}>
          <span className="label">On this step</span>
          <strong data-testid="step-clock">
            {formatClock(clock.onStepSeconds)} / {formatDuration(props.budgetSeconds)}
          </strong>
          {clock.overBudget && <span className="badge warn">over budget by {formatClock(-clock.remainingSeconds)}</span>}
        </div>
      )}
      {props.startedAt && (
        <div>
          <span className="label">{props.endedAt ? 'Interview lasted' : 'Interview clock'}</span>
          <strong data-testid="interview-clock">{formatClock(clock.totalSeconds)}</strong>
        </div>
      )}
    </div>
  )
}

function NotesView({
  notes,
  framework,
  section,
  onSection,
  currentStep,
  readOnly,
}: {
  notes: LiveDocument
  framework: Framework
  section: string
  onSection: (section: string) => void
  currentStep: number | null
  readOnly: boolean
}) {
  const text = notes.doc.getText(section)
  const source = useYText(text)
  const sections = [...framework.steps.map((s) => ({ key: stepText(s.number), label: `${s.number}. ${s.name}`, step: s.number })), { key: SCRATCH, label: 'Scratch', step: null }]
  const label = sections.find((s) => s.key === section)?.label ?? section
  return (
    <div className="notes">
      <nav className="step-tabs" aria-label="Notes sections">
        {sections.map((s) => (
          <button
            key={s.key}
            type="button"
            aria-current={s.key === section ? 'true' : undefined}
            className={s.step !== null && s.step === currentStep ? 'current' : undefined}
            onClick={() => onSection(s.key)}
          >
            {s.label}
            {s.step !== null && s.step === currentStep && <span className="sr-only"> (current step)</span>}
          </button>
        ))}
      </nav>
      <div className="notes-split">
        <div>
          <h2 className="sr-only">Edit {label}</h2>
          <CollabEditor
            key={section}
            text={text}
            awareness={notes.provider.awareness}
            label={`Shared notes: ${label}`}
            placeholder="Write in Markdown; ```mermaid blocks become diagrams."
            readOnly={readOnly}
          />
        </div>
        <div className="preview">
          <h2 className="preview-title">Preview</h2>
          <MarkdownView source={source} label={`Preview of ${label}`} />
        </div>
      </div>
    </div>
  )
}

function CandidatePanel({ interview, framework, step }: { interview: InterviewDetail; framework: Framework; step: number | null }) {
  const info = framework.steps.find((s) => s.number === step)
  return (
    <aside className="side-panel" aria-label="Question">
      <QuestionPrompt interview={interview} />
      {info && (
        <>
          <h3>Step {info.number}: what to cover</h3>
          <p>{info.covers}</p>
          <p className="muted" data-testid="step-budget">Typical budget: {formatDuration(info.budget_seconds)}.</p>
        </>
      )}
    </aside>
  )
}

type PanelTab = 'question' | 'guide' | 'rubric'

/**
 * The interviewer's side panel: one step at a time (the current one unless they look at
 * another), its guide, its rubric, the question, and their private notes on that step.
 *
 * Tabs over one scrolling region plus the private notes pinned underneath keep the whole panel
 * inside one laptop screen: stacked, guide + notes + rubric made a panel taller than three.
 */
function InterviewerPanel({
  interview,
  framework,
  step,
  privateNotes,
  readOnly,
  waiting,
}: {
  interview: InterviewDetail
  framework: Framework
  step: number | null
  privateNotes: LiveDocument | null
  readOnly: boolean
  waiting: boolean
}) {
  const rubric = useRubric()
  // Scoring happens after the end, so the panel opens on the rubric then; before, on the work.
  const [tab, setTab] = useState<PanelTab>(readOnly ? 'rubric' : interview.status === 'scheduled' ? 'question' : 'guide')
  const [shown, setShown] = useState(step ?? 1)
  useEffect(() => {
    if (step) setShown(step)
  }, [step])
  useEffect(() => {
    if (readOnly) setTab('rubric')
  }, [readOnly])
  // Re-rendered when the room opens (useRoomOpen), so the guide appears by itself then.
  useRoomOpen(interview)
  const guide = roomGuideFor(interview, shown)
  const info = framework.steps.find((s) => s.number === shown)
  const tabs: { key: PanelTab; label: string }[] = [
    { key: 'question', label: 'Question' },
    { key: 'guide', label: 'Guide' },
    { key: 'rubric', label: readOnly ? 'Score' : 'Rubric' },
  ]
  return (
    <aside className="side-panel interviewer-panel" aria-label="Interviewer panel">
      <div className="panel-steps" role="group" aria-label="Step shown in this panel">
        {framework.steps.map((s) => (
          <button
            key={s.number}
            type="button"
            aria-pressed={s.number === shown}
            className={s.number === step ? 'current' : undefined}
            aria-label={`${s.number}. ${s.name}${s.number === step ? ' (current step)' : ''}`}
            title={`${s.number}. ${s.name}${s.number === step ? ' (current step)' : ''}`}
            onClick={() => setShown(s.number)}
          >
            {s.number}
          </button>
        ))}
      </div>
      <p className="panel-step-name" data-testid="panel-step">
        <strong>
          Step {shown}
          {info ? `: ${info.name}` : ''}
        </strong>
        {step !== null && shown !== step && (
          <>
            {' '}
            <button type="button" className="link-button" onClick={() => setShown(step)}>
              back to the current step
            </button>
          </>
        )}
      </p>
      <div className="view-tabs" role="tablist" aria-label="Interviewer panel">
        {tabs.map((t) => (
          <button
            key={t.key}
            type="button"
            role="tab"
            id={`panel-tab-${t.key}`}
            aria-controls="panel-tabpanel"
            aria-selected={tab === t.key}
            onClick={() => setTab(t.key)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="panel-scroll" role="tabpanel" id="panel-tabpanel" aria-labelledby={`panel-tab-${tab}`} tabIndex={0}>
        {tab === 'question' ? (
          <QuestionPrompt interview={interview} />
        ) : tab === 'guide' ? (
          <>
            <h2 className="sr-only">Guide — step {shown}</h2>
            {guide ? <GuideStepView guide={guide} /> : <p className="muted">{info?.covers}</p>}
          </>
        ) : (
          <>
            <h2 className="sr-only">Rubric — step {shown}</h2>
            <Loaded query={rubric}>{(rb) => <RubricForStep interview={interview} rubric={rb} framework={framework} step={shown} />}</Loaded>
          </>
        )}
      </div>
      <section className="panel-private" aria-label="Private notes">
        <h2>Private notes — step {shown}</h2>
        {waiting ? (
          <p className="muted">Your private notes open with the room.</p>
        ) : privateNotes ? (
          privateNotes.status === 'closed' ? (
            <p className="error">{privateNotes.closedReason}</p>
          ) : (
            <CollabEditor
              key={shown}
              text={privateNotes.doc.getText(stepText(shown))}
              awareness={privateNotes.provider.awareness}
              label={`Private notes for step ${shown}`}
              placeholder="Only you see these."
              readOnly={readOnly}
              className="private"
            />
          )
        ) : (
          <Spinner />
        )}
      </section>
    </aside>
  )
}

/** The question as the candidate reads it: both people in the room see the same prompt. */
function QuestionPrompt({ interview }: { interview: InterviewDetail }) {
  return (
    <div className="question-prompt" data-testid="question-prompt">
      <h2>The question</h2>
      {interview.question.prompt ? <MarkdownView source={interview.question.prompt} label="Question prompt" /> : <p>{interview.question.title}</p>}
    </div>
  )
}

function RubricForStep({ interview, rubric, framework, step }: { interview: InterviewDetail; rubric: Rubric; framework: Framework; step: number }) {
  const state = useSubmissionState(interview.id)
  const { draft, saved, saveState, saveError, update, loadError } = useScorecardDraft(
    interview.id,
    rubric.version,
    framework.steps.map((s) => s.number),
    state.data,
  )
  if (state.error) return <ErrorMessage error={state.error} />
  if (loadError) return <ErrorMessage error={loadError} />
  if (!draft) return <Spinner />
  const section = rubric.sections.find((s) => s.step === step)
  const index = draft.steps.findIndex((row) => row.step === step)
  if (!section || index < 0) return null
  const submitted = saved?.status === 'submitted'
  return (
    <>
      <SaveStatus state={saveState} error={saveError} />
      <StepScoreFields
        key={step}
        compact
        section={section}
        row={draft.steps[index]}
        index={index}
        onChange={(patch) => update((d) => withStep(d, step, patch))}
        pitfalls={rubric.pitfalls.filter((p) => p.step === step).map((p) => ({ tag: p.tag, label: p.label, description: p.description }))}
        checkedPitfalls={(draft.pitfalls ?? []) as string[]}
        onPitfall={(tag, on) => update((d) => togglePitfall(d, tag, on))}
        error={saveError}
        readOnly={submitted}
      />
    </>
  )
}
