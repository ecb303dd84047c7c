import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react'
import { api } from '../api/client'
import { keys, useFramework } from '../api/queries'
import type { Framework, InterviewRequestInput, Me } from '../api/types'
import { ErrorMessage, Field, Loaded } from '../components/forms'
import { InstantMatch } from '../components/InstantMatch'
import { cellOpen, cellStart, coveredCells, inSelection, perWeekHint, selectionToWindows, slotLabel, SLOTS_PER_DAY, type Cell, type Window } from '../lib/availability'
import { addDays, formatDateTime, formatDay, formatRange, isoDate, mondayOfWeek, sameDate, zonedParts } from '../lib/time'

const FIRST_VISIBLE_SLOT = 14 // 07:00: the grid scrolls there first

export function AvailabilityPage({ me }: { me: Me }) {
  const framework = useFramework()
  return (
    <section>
      <h1>Availability and requests</h1>
      <p className="muted">
        Times are in your time zone, <strong>{me.profile.time_zone}</strong>. Drag across the grid to publish when you
        can interview; we pair you inside those windows.
      </p>
      <div className="availability-layout">
        <Loaded query={framework}>{(fw) => <WeekGrid timeZone={me.profile.time_zone ?? 'UTC'} weeksAhead={fw.scheduling_weeks_ahead} />}</Loaded>
        <div className="stack">
          <InstantMatch />
          <Loaded query={framework}>{(fw) => <RequestForm me={me} framework={fw} />}</Loaded>
        </div>
      </div>
    </section>
  )
}

function WeekGrid({ timeZone, weeksAhead }: { timeZone: string; weeksAhead: number }) {
  const queryClient = useQueryClient()
  const [weekOffset, setWeekOffset] = useState(0)
  const monday = useMemo(() => addDays(mondayOfWeek(new Date(), timeZone), weekOffset * 7), [timeZone, weekOffset])
  const today = zonedParts(new Date(), timeZone)
  // What the server accepts, as of this render: past cells and those past the horizon are greyed.
  const now = new Date()
  const bookable = { from: now, to: new Date(now.getTime() + weeksAhead * 7 * 86_400_000) }
  const lastWeek = cellStart(addDays(monday, 7), 0, 0, timeZone) >= bookable.to
  const windows = useQuery({
    queryKey: keys.availability,
    queryFn: () => api.get('/api/availability/', { query: { page_size: 100 } }),
  })
  const covered = useMemo(
    () => coveredCells(windows.data?.results ?? [], monday, timeZone),
    [windows.data, monday, timeZone],
  )
  const [anchor, setAnchor] = useState<Cell | null>(null)
  const [current, setCurrent] = useState<Cell | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [added, setAdded] = useState<number | null>(null)
  const scroller = useRef<HTMLDivElement | null>(null)
  useEffect(() => {
    // Start the day at 07:00 rather than midnight; once, so a drag never moves the grid.
    if (scroller.current) scroller.current.scrollTop = FIRST_VISIBLE_SLOT * 22
  }, [])

  const publish = async (toAdd: Window[]) => {
    setError(null)
    setAdded(null)
    let count = 0
    try {
      for (const window of toAdd) {
        await api.post('/api/availability/', { body: window })
        count++
      }
      setAdded(count)
    } catch (e) {
      setError(e)
    } finally {
      await queryClient.invalidateQueries({ queryKey: keys.availability })
    }
  }

  const remove = useMutation({
    mutationFn: (id: number) => api.delete('/api/availability/{id}/', { path: { id } }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.availability }),
  })

  const finishDrag = () => {
    if (anchor && current) void publish(selectionToWindows(anchor, current, monday, timeZone, bookable))
    setAnchor(null)
    setCurrent(null)
  }

  const days = Array.from({ length: 7 }, (_, day) => addDays(monday, day))
  return (
    <div className="card week">
      <div className="week-nav">
        <button type="button" onClick={() => setWeekOffset((w) => w - 1)} disabled={weekOffset <= 0}>
          ← Previous week
        </button>
        <h2 id="week-title">Week of {formatDay(monday)}</h2>
        <button type="button" onClick={() => setWeekOffset((w) => w + 1)} disabled={lastWeek} title={lastWeek ? `Windows can be at most ${weeksAhead} weeks ahead` : undefined}>
          Next week →
        </button>
      </div>
      <div
        className="grid-scroll"
        ref={scroller}
        tabIndex={0}
        aria-label="Week grid, scrollable"
        onPointerLeave={() => anchor && finishDrag()}
      >
        <div className="week-grid" role="grid" aria-labelledby="week-title" aria-readonly="true" onPointerUp={finishDrag}>
          <div role="row" className="week-row head">
            <div role="columnheader" className="time-col" />
            {days.map((date) => (
              <div
                role="columnheader"
                key={isoDate(date)}
                className={sameDate(date, today) ? 'today' : undefined}
                aria-label={formatDay(date)}
                title={formatDay(date)}
              >
                {formatDay(date).replace(/ \S+$/, '')}
              </div>
            ))}
          </div>
          {Array.from({ length: SLOTS_PER_DAY }, (_, slot) => (
            <div role="row" className="week-row" key={slot}>
              <div role="rowheader" className="time-col">
                {slot % 2 === 0 ? slotLabel(slot) : ''}
              </div>
              {days.map((date, day) => {
                const cell = { day, slot }
                const isCovered = covered.has(`${day}:${slot}`)
                const open = cellOpen(monday, cell, timeZone, bookable)
                const selected = open && inSelection(cell, anchor, current)
                return (
                  <div
                    role="gridcell"
                    key={day}
                    aria-selected={isCovered}
                    aria-disabled={open ? undefined : true}
                    aria-label={`${formatDay(date)} ${slotLabel(slot)}${isCovered ? ', available' : open ? '' : ', closed'}`}
                    className={`cell${isCovered ? ' covered' : ''}${selected ? ' selecting' : ''}${open ? '' : ' closed'}`}
                    data-cell={`${day}:${slot}`}
                    onPointerDown={(e) => {
                      e.preventDefault()
                      if (!open) return
                      setAnchor(cell)
                      setCurrent(cell)
                    }}
                    onPointerEnter={() => anchor && setCurrent(cell)}
                  />
                )
              })}
            </div>
          ))}
        </div>
      </div>
      <div aria-live="polite">
        {added !== null && (
          <p className="success">
            Published {added} window{added === 1 ? '' : 's'}.
          </p>
        )}
      </div>
      <ErrorMessage error={error} />
      <KeyboardWindowForm timeZone={timeZone} monday={monday} onAdd={publish} />
      <h3>Your upcoming windows</h3>
      <Loaded query={windows}>
        {(page) =>
          page.results.length === 0 ? (
            <p className="muted">None yet.</p>
          ) : (
            <ul className="window-list">
              {page.results.map((w) => (
                <li key={w.id}>
                  {formatRange(w.starts_at, w.ends_at, timeZone)}
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => remove.mutate(w.id)}
                    aria-label={`Remove the window starting ${formatDateTime(w.starts_at, timeZone)}`}
                  >
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
      <ErrorMessage error={remove.error} />
    </div>
  )
}

/** The same as a drag, for keyboard and screen-reader users. */
function KeyboardWindowForm({
  timeZone,
  monday,
  onAdd,
}: {
  timeZone: string
  monday: ReturnType<typeof mondayOfWeek>
  onAdd: (windows: Window[]) => Promise<void>
}) {
  const [day, setDay] = useState(0)
  const [from, setFrom] = useState(36)
  const [to, setTo] = useState(40)
  const submit = (event: FormEvent) => {
    event.preventDefault()
    void onAdd(selectionToWindows({ day, slot: from }, { day, slot: Math.max(from, to - 1) }, monday, timeZone))
  }
  const slots = Array.from({ length: SLOTS_PER_DAY + 1 }, (_, s) => s)
  return (
    <details className="keyboard-form">
      <summary>Add a window with the keyboard</summary>
      <form onSubmit={submit} className="row">
        <Field label="Day" name="day">
          {(props) => (
            <select {...props} value={day} onChange={(e) => setDay(Number(e.target.value))}>
              {Array.from({ length: 7 }, (_, d) => (
                <option key={d} value={d}>
                  {formatDay(addDays(monday, d))}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="From" name="from">
          {(props) => (
            <select {...props} value={from} onChange={(e) => setFrom(Number(e.target.value))}>
              {slots.slice(0, -1).map((s) => (
                <option key={s} value={s}>
                  {slotLabel(s)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="To" name="to">
          {(props) => (
            <select {...props} value={to} onChange={(e) => setTo(Number(e.target.value))}>
              {slots.slice(1).map((s) => (
                <option key={s} value={s}>
                  {s === SLOTS_PER_DAY ? '24:00' : slotLabel(s)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="field">
          <button type="submit">Add window</button>
        </div>
      </form>
    </details>
  )
}

const ROLES = [
  { value: 'candidate', label: 'Candidate — I want to be interviewed' },
  { value: 'interviewer', label: 'Interviewer — I want to interview someone' },
  {
    value: 'swap',
    label: 'Both — a swap: two interviews back to back, roles reversed (with someone who wants only one role, it becomes one interview)',
  },
] as const

function RequestForm({ me, framework }: { me: Me; framework: Framework }) {
  const queryClient = useQueryClient()
  const requests = useQuery({
    queryKey: keys.interviewRequests,
    queryFn: () => api.get('/api/interview-requests/'),
  })
  const open = requests.data?.results.find((r) => r.status === 'open')
  const [role, setRole] = useState<string>('swap')
  const [level, setLevel] = useState<string>(me.profile.target_level ?? 'mid')
  const [domains, setDomains] = useState<string[]>((me.profile.focus_domains as string[] | undefined) ?? [])
  const [perWeek, setPerWeek] = useState(2)
  const [error, setError] = useState<unknown>(null)
  const [saved, setSaved] = useState<string | null>(null)
  const [loadedFrom, setLoadedFrom] = useState<number | null>(null)
  if (open && loadedFrom !== open.id) {
    setLoadedFrom(open.id)
    setRole(open.role)
    setLevel(open.level)
    setDomains(Array.isArray(open.domains) ? (open.domains as string[]) : [])
    setPerWeek(open.max_per_week ?? 2)
  }

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setError(null)
    setSaved(null)
    // The choices come from the framework's lists, so they are the API's own values.
    const body = { role, level, domains, max_per_week: perWeek } as InterviewRequestInput
    try {
      if (open) await api.patch('/api/interview-requests/{id}/', { path: { id: open.id }, body })
      else await api.post('/api/interview-requests/', { body })
      setSaved(open ? 'Request updated.' : 'Request opened: we will pair you inside your windows.')
      await queryClient.invalidateQueries({ queryKey: keys.interviewRequests })
    } catch (e) {
      setError(e)
    }
  }
  const dropQuestion = async () => {
    if (!open) return
    setError(null)
    try {
      await api.patch('/api/interview-requests/{id}/', { path: { id: open.id }, body: { question: null } })
      setSaved('Request updated: any question you have not seen.')
      await queryClient.invalidateQueries({ queryKey: keys.interviewRequests })
    } catch (e) {
      setError(e)
    }
  }
  const withdraw = async () => {
    if (!open) return
    setError(null)
    try {
      await api.delete('/api/interview-requests/{id}/', { path: { id: open.id } })
      setSaved('Request withdrawn.')
      setLoadedFrom(null)
      await queryClient.invalidateQueries({ queryKey: keys.interviewRequests })
    } catch (e) {
      setError(e)
    }
  }
  return (
    <form className="card" onSubmit={submit} noValidate>
      <h2>Your interview request</h2>
      {open ? (
        <>
          <p>
            <span className="badge ok">Open</span> since {formatDateTime(open.created_at, me.profile.time_zone ?? 'UTC')}
          </p>
          <p className="muted" data-testid="match-runs">
            {open.last_match_run_at
              ? `Last matching run: ${formatDateTime(open.last_match_run_at, me.profile.time_zone ?? 'UTC')}. `
              : 'No matching run has looked at this request yet. '}
            {open.next_match_run_at && `Next: ${formatDateTime(open.next_match_run_at, me.profile.time_zone ?? 'UTC')}.`}
          </p>
          {open.unserved_help && (
            <p className="notice" data-testid="unserved">
              The last run could not pair you. {open.unserved_help}
            </p>
          )}
        </>
      ) : (
        <p className="muted">No open request.</p>
      )}
      {open?.question_title && (
        <p data-testid="practising">
          Practising as the candidate: <strong>{open.question_title}</strong> (matching gives it to you while you have not
          seen it).{' '}
          <button type="button" className="button small" onClick={dropQuestion}>
            Any question instead
          </button>
        </p>
      )}
      <fieldset>
        <legend>Role</legend>
        {ROLES.map((r) => (
          <label key={r.value} className="check block">
            <input type="radio" name="role" value={r.value} checked={role === r.value} onChange={() => setRole(r.value)} />
            {r.label}
          </label>
        ))}
      </fieldset>
      <div className="row">
        <Field label="Level" name="level" error={error}>
          {(props) => (
            <select {...props} value={level} onChange={(e) => setLevel(e.target.value)}>
              {framework.levels.map((l) => (
                <option key={l.value} value={l.value}>
                  {l.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="At most this many interviews in any 7 days" name="max_per_week" error={error} hint={perWeekHint(role, perWeek)}>
          {(props) => (
            <input {...props} type="number" min={1} max={14} value={perWeek} onChange={(e) => setPerWeek(Number(e.target.value))} />
          )}
        </Field>
      </div>
      <fieldset>
        <legend>Domains (none = any)</legend>
        <div className="checks">
          {framework.domains.map((d) => (
            <label key={d.value} className="check">
              <input
                type="checkbox"
                checked={domains.includes(d.value)}
                onChange={(e) => setDomains(e.target.checked ? [...domains, d.value] : domains.filter((x) => x !== d.value))}
              />
              {d.label}
            </label>
          ))}
        </div>
      </fieldset>
      <ErrorMessage error={error} shownFields={['level', 'max_per_week']} />
      <ErrorMessage error={requests.error} />
      {saved && (
        <p className="success" role="status">
          {saved}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary">
          {open ? 'Update request' : 'Open request'}
        </button>
        {open && (
          <button type="button" className="danger" onClick={withdraw}>
            Withdraw
          </button>
        )}
      </div>
    </form>
  )
}
