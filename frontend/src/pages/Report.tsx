import { useQuery } from '@tanstack/react-query'
import { useMemo, useState } from 'react'
import { Link } from 'react-router-dom'
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  ComposedChart,
  ErrorBar,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Scatter,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts'
import { ApiError, api } from '../api/client'
import { practise, type PracticeTarget } from '../api/practice'
import { keys, labelOf, useFramework } from '../api/queries'
import type { Framework, Me } from '../api/types'
import { ErrorMessage, Loaded, Spinner } from '../components/forms'
import { WeakestStep } from '../components/WeakestStep'
import { useTimeZone } from '../lib/me'
import { shapeHistory, shapeReport, TREND_WORDS, VERDICT_WORDS, type HistoryPoint, type Report, type ReportView, type Snapshot } from '../lib/report'
import { formatDateTime, formatDuration } from '../lib/time'

// Legend text in the text colour: recharts would paint it in the (sometimes light) series colour.
const legendText = (value: string) => <span style={{ color: '#1b1f24' }}>{value}</span>

const COLORS = ['#1f4fbf', '#b3261e', '#1d6b35', '#7a3fb0', '#8a4b00', '#006d77', '#a0265f']

export default function ReportPage({ me }: { me: Me }) {
  const framework = useFramework()
  const report = useQuery({ queryKey: keys.report, queryFn: () => api.get('/api/reports/me/') })
  const history = useQuery({
    queryKey: keys.reportHistory,
    queryFn: () => api.get('/api/reports/me/history/', { query: { page_size: 100 } }),
  })
  return (
    <section className="report">
      <div className="page-head">
        <h1>Your weakness report</h1>
        <div className="actions">
          <a className="button" href="/api/reports/me/export/?format=json" download>
            Export JSON
          </a>
          <a className="button" href="/api/reports/me/export/?format=csv" download>
            Export CSV
          </a>
        </div>
      </div>
      <p className="muted">
        Target level: <strong>{labelOf(framework.data?.levels, me.profile.target_level ?? '')}</strong>. Estimates are corrected for how lenient each
        interviewer is and pulled toward the average until there is enough evidence; your skill lies inside the 90% band about 9 times in 10.
      </p>
      <Loaded query={framework}>
        {(fw) =>
          report.error instanceof ApiError && report.error.status === 404 ? (
            <NoReportYet />
          ) : report.error ? (
            <ErrorMessage error={report.error} />
          ) : report.isPending ? (
            <Spinner />
          ) : (
            <ReportBody framework={fw} report={report.data} history={history.data?.results ?? []} historyError={history.error} />
          )
        }
      </Loaded>
    </section>
  )
}

/** One "Practise next" action: ask to be paired as the candidate on it; says what happened. */
function PracticeButton({ target, label }: { target: PracticeTarget; label: string }) {
  const [state, setState] = useState<'idle' | 'busy' | 'opened' | 'changed'>('idle')
  const [error, setError] = useState<unknown>(null)
  const run = async () => {
    setState('busy')
    setError(null)
    try {
      setState(await practise(target))
    } catch (e) {
      setError(e)
      setState('idle')
    }
  }
  if (state === 'opened' || state === 'changed') {
    return (
      <span className="success" role="status">
        {state === 'opened' ? 'Requested' : 'Your open request now asks for it'}: the next matching run prefers it.{' '}
        <Link to="/availability">Your request and windows</Link>
      </span>
    )
  }
  return (
    <>
      <button type="button" className="button small" disabled={state === 'busy'} onClick={run}>
        {label}
      </button>
      {error ? <ErrorMessage error={error} /> : null}
    </>
  )
}

function NoReportYet() {
  return (
    <div className="card">
      <h2>Not enough data yet</h2>
      <p>
        Your report appears after your first scored interview as a candidate. <Link to="/availability">Get paired</Link>{' '}
        to start.
      </p>
    </div>
  )
}

function ReportBody({
  framework,
  report,
  history,
  historyError,
}: {
  framework: Framework
  report: Report
  history: Snapshot[]
  historyError: unknown
}) {
  const zone = useTimeZone()
  const view = useMemo(() => shapeReport(report), [report])
  const points = useMemo(() => shapeHistory(history), [history])
  const anyData = view.enoughData
  if (view.empty) return <NoReportYet />
  return (
    <>
      <p data-testid="based-on">
        Computed {formatDateTime(view.computedAt, zone)} from {view.basedOn}.
      </p>
      <div className="report-grid">
        <div className="card">
          <h2>The 7 steps against your target bar</h2>
          {!anyData && (
            <p className="notice">
              Not enough data yet: a verdict needs {view.minRatings} ratings of a step. Until then the estimates lean on
              everyone’s average and the bands are wide.
            </p>
          )}
          <StepsChart view={view} />
          <StepsTable view={view} />
          <p className="hint" data-testid="bar-explained">
            <strong>Bar</strong> (the red diamond): the score on each step that the rubric expects from someone ready for your
            target level, {labelOf(framework.levels, report.target_level)}. A verdict compares your band with it: below, near,
            or at or above the bar, with the chance that your skill on the step is below it. <strong>Percentile</strong>: where your estimate ranks among people with the same target
            level, once a step has {view.minRatings} ratings and the nightly recalculation has ranked it.
          </p>
          {view.communication && <p data-testid="communication">{view.communication}</p>}
        </div>
        <div className="card">
          <h2>Weakest step</h2>
          <WeakestStep weakest={view.weakest} />
          <h2>Practise next</h2>
          {view.questions.length === 0 ? (
            <p className="muted">No recommendation yet.</p>
          ) : (
            <ul>
              {view.questions.map((q) => (
                <li key={q.id ?? q.title}>
                  {q.title}
                  {q.why && <span className="muted"> — {q.why}</span>}{' '}
                  <PracticeButton target={{ question: q.id, domain: q.domain }} label="Practise this as the candidate" />{' '}
                  <PracticeButton target={{ domain: q.domain }} label={`Any ${labelOf(framework.domains, q.domain)} question`} />
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="card">
          <h2>How you rate yourself</h2>
          <p className="muted">
            Your own step scores from the feedback form against your interviewers’ scores of the same interviews, corrected for
            their leniency.
          </p>
          {view.selfSummary ? (
            <p data-testid="self-assessment">{view.selfSummary}</p>
          ) : (
            <ul className="self-views" data-testid="self-assessment">
              {view.selfViews.map((v) => (
                <li key={v.step}>
                  <strong>
                    {v.step}. {v.name}:
                  </strong>{' '}
                  {v.sentence}
                </li>
              ))}
            </ul>
          )}
        </div>
        <div className="card">
          <h2>Trend per step</h2>
          {historyError ? (
            <ErrorMessage error={historyError} />
          ) : points.length < 2 ? (
            <p className="muted">Not enough data yet: a trend needs at least two scored interviews.</p>
          ) : (
            <TrendChart points={points} framework={framework} zone={zone} />
          )}
        </div>
        <div className="card">
          <h2>Time on each step against its budget</h2>
          {view.time.every((t) => t.spentMinutes === null) ? (
            <p className="muted">Not enough data yet: no interview timeline recorded.</p>
          ) : (
            <>
              <TimeChart view={view} />
              <TimeTable view={view} framework={framework} />
              {view.timeNotes.map((note) => (
                <p key={note}>{note}</p>
              ))}
            </>
          )}
        </div>
        <div className="card">
          <h2>Recurring pitfalls</h2>
          {view.pitfalls.length === 0 ? (
            <p className="muted">No pitfall ticked yet.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Pitfall</th>
                  <th scope="col">You</th>
                  <th scope="col">Everyone</th>
                </tr>
              </thead>
              <tbody>
                {view.pitfalls.map((p) => (
                  <tr key={p.tag}>
                    <th scope="row">
                      {p.label} {p.recurring && <span className="badge bad">recurring</span>}
                    </th>
                    <td>
                      {Math.round(p.rate * 100)}% ({p.count}×)
                    </td>
                    <td>{p.population_rate != null ? `${Math.round(p.population_rate * 100)}%` : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div className="card">
          <h2>In your interviewers’ words</h2>
          {view.quotes.length === 0 ? (
            <p className="muted">No written evidence yet.</p>
          ) : (
            view.quotes.map((q, i) => (
              <blockquote key={i}>
                <strong>
                  Step {q.step}
                  {q.score !== null ? `, scored ${q.score}` : ''}:
                </strong>{' '}
                {q.text}
                <footer className="muted">
                  {q.questionTitle}, {formatDateTime(q.when, zone, { withZone: false })}
                </footer>
              </blockquote>
            ))
          )}
        </div>
      </div>
    </>
  )
}

function StepsChart({ view }: { view: ReportView }) {
  // A step nobody has rated has no bar of its own: its numbers are only the population's prior.
  const data = view.steps.map((s) => ({
    name: `${s.step}`,
    title: s.rated ? s.name : `${s.name} (no ratings yet)`,
    estimate: s.rated ? s.estimate : null,
    band: s.rated ? [s.estimate - s.lower, s.upper - s.estimate] : null,
    bar: s.bar,
  }))
  return (
    <div className="chart" role="img" aria-label="Bar chart of the estimate per step with its uncertainty band and the target bar; the table below has the numbers.">
      <ResponsiveContainer width="100%" height={280}>
        <ComposedChart data={data} margin={{ top: 10, right: 10, bottom: 0, left: -10 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="name" label={{ value: 'step', position: 'insideBottomRight', offset: -2 }} />
          <YAxis domain={[1, 4]} ticks={[1, 2, 3, 4]} />
          <Tooltip formatter={(value) => (typeof value === 'number' ? value.toFixed(2) : String(value))} labelFormatter={(_, p) => p?.[0]?.payload?.title ?? ''} />
          <Legend formatter={legendText} />
          <Bar dataKey="estimate" name="Your estimate (90% band)" isAnimationActive={false}>
            {view.steps.map((s) => (
              <Cell key={s.step} fill={s.enoughData ? '#1f4fbf' : '#8d99ad'} />
            ))}
            <ErrorBar dataKey="band" direction="y" width={10} strokeWidth={2} stroke="#14213d" />
          </Bar>
          <Scatter dataKey="bar" name="Target bar" fill="#b3261e" shape="diamond" isAnimationActive={false} />
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  )
}

function StepsTable({ view }: { view: ReportView }) {
  return (
    <table className="steps-table">
      <caption className="sr-only">Estimate per step</caption>
      <thead>
        <tr>
          <th scope="col">Step</th>
          <th scope="col">Estimate (band)</th>
          <th scope="col">Bar</th>
          <th scope="col">Verdict</th>
          <th scope="col">Ratings</th>
          <th scope="col">Percentile</th>
          <th scope="col">Trend</th>
        </tr>
      </thead>
      <tbody>
        {view.steps.map((s) => (
          <tr key={s.step}>
            <th scope="row">
              {s.step}. {s.name}
            </th>
            <td>
              {s.rated ? (
                <>
                  {s.estimate.toFixed(1)}{' '}
                  <span className="muted">
                    ({s.lower.toFixed(1)}–{s.upper.toFixed(1)})
                  </span>
                </>
              ) : (
                <span className="muted">no ratings yet</span>
              )}
            </td>
            <td>{s.bar.toFixed(1)}</td>
            <td>
              {s.enoughData ? VERDICT_WORDS[s.verdict] ?? s.verdict : <span className="badge warn">not enough data yet</span>}
              {s.belowBarText && <div className="muted small">{s.belowBarText}</div>}
            </td>
            <td>{s.nRatings}</td>
            <td className={s.percentile == null ? 'muted' : undefined}>{s.percentileText}</td>
            <td>{TREND_WORDS[s.trend] ?? s.trend}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function TrendChart({ points, framework, zone }: { points: HistoryPoint[]; framework: Framework; zone: string }) {
  const data = points.map((p) => ({
    when: formatDateTime(p.computedAt, zone, { withZone: false, withWeekday: false }).split(',')[0],
    ...Object.fromEntries(framework.steps.map((s) => [`s${s.number}`, p.steps[s.number] ?? null])),
  }))
  return (
    <div className="chart" role="img" aria-label="Line chart of the estimate per step over time">
      <ResponsiveContainer width="100%" height={260}>
        <LineChart data={data} margin={{ top: 10, right: 10, bottom: 0, left: -10 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="when" />
          <YAxis domain={[1, 4]} ticks={[1, 2, 3, 4]} />
          <Tooltip />
          <Legend formatter={legendText} />
          {framework.steps.map((s, i) => (
            <Line key={s.number} dataKey={`s${s.number}`} name={`${s.number}. ${s.slug}`} stroke={COLORS[i % COLORS.length]} dot isAnimationActive={false} connectNulls />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  )
}

function TimeChart({ view }: { view: ReportView }) {
  const data = view.time.map((t) => ({ name: `${t.step}`, spent: t.spentMinutes, budget: t.budgetMinutes }))
  return (
    <div className="chart" role="img" aria-label="Minutes spent on each step next to its budget">
      <ResponsiveContainer width="100%" height={240}>
        <BarChart data={data} margin={{ top: 10, right: 10, bottom: 0, left: 10 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="name" />
          <YAxis unit=" min" width={56} />
          <Tooltip formatter={(value) => (typeof value === 'number' ? formatDuration(value * 60) : String(value))} />
          <Legend formatter={legendText} />
          <Bar dataKey="spent" name="Spent (average)" fill="#1f4fbf" isAnimationActive={false} />
          <Bar dataKey="budget" name="Budget" fill="#8d99ad" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  )
}

/** The chart's numbers in words; the budgets are the framework's, as the room shows them. */
function TimeTable({ view, framework }: { view: ReportView; framework: Framework }) {
  return (
    <table data-testid="time-table">
      <thead>
        <tr>
          <th scope="col">Step</th>
          <th scope="col">Spent (average)</th>
          <th scope="col">Budget</th>
        </tr>
      </thead>
      <tbody>
        {view.time.map((t) => {
          const budget = framework.steps.find((s) => s.number === t.step)?.budget_seconds
          return (
            <tr key={t.step}>
              <th scope="row">
                {t.step}. {t.name}
              </th>
              <td>{t.spentMinutes === null ? '—' : formatDuration(t.spentMinutes * 60)}</td>
              <td>{budget === undefined ? '—' : formatDuration(budget)}</td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}
