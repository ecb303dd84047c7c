import { useQuery } from '@tanstack/react-query'
import { Fragment } from 'react'
import { Link } from 'react-router-dom'
import { api } from '../api/client'
import { Loaded } from '../components/forms'
import { shapeInterviewerStats, type Finding, type InterviewerStats } from '../lib/interviewerStats'
import { useTimeZone } from '../lib/me'
import { formatDateTime } from '../lib/time'
import { keys } from '../api/queries'

/** How the user scores as an interviewer, and how useful candidates found them. */
export function AsInterviewerPage() {
  const stats = useQuery({
    queryKey: keys.asInterviewer,
    queryFn: () => api.get('/api/me/as-interviewer/'),
  })
  return (
    <section>
      <h1>You as an interviewer</h1>
      <p className="muted">
        Every interviewer scores a little differently. The weakness reports correct for how generous and how steady
        each interviewer is; this page shows what the model has learnt about you, and what candidates said.
      </p>
      <Loaded query={stats}>{(data) => <StatsBody stats={data} />}</Loaded>
    </section>
  )
}

function NotEnoughData() {
  return <span className="badge warn">Not enough data yet</span>
}

function FindingCard({ title, finding, testId }: { title: string; finding: Finding; testId: string }) {
  return (
    <div className="card" data-testid={testId}>
      <h2>{title}</h2>
      <p>{finding.enoughData ? <strong>{finding.headline}</strong> : <NotEnoughData />}</p>
      {finding.detail && <p>{finding.detail}</p>}
    </div>
  )
}

function StatsBody({ stats }: { stats: InterviewerStats }) {
  const zone = useTimeZone()
  const view = shapeInterviewerStats(stats)
  return (
    <>
      <p data-testid="as-interviewer-basis">
        You have submitted {view.scorecards}.{' '}
        {view.modelFittedAt
          ? `The rater model last ran ${formatDateTime(view.modelFittedAt, zone)}.`
          : 'The rater model has not run yet (it runs every night).'}
      </p>
      <div className="stats-grid">
        <FindingCard title="How generous your scores are" finding={view.leniency} testId="leniency" />
        <FindingCard title="How steady your scores are" finding={view.consistency} testId="consistency" />
      </div>
      <div className="card" data-testid="feedback-received">
        <h2>What candidates said about you</h2>
        {!view.feedback.enoughData ? (
          <p>
            <NotEnoughData /> {view.feedback.headline}
          </p>
        ) : (
          <>
            <p>{view.feedback.headline}</p>
            <dl className="pairs">
              {view.feedback.ratings.map((row) => (
                <Fragment key={row.label}>
                  <dt>{row.label}</dt>
                  <dd>{row.value}</dd>
                </Fragment>
              ))}
            </dl>
            {view.feedback.comments.length > 0 && (
              <>
                <h3>Recent comments</h3>
                <ul className="comments">
                  {view.feedback.comments.map((c) => (
                    <li key={`${c.interviewId}-${c.when}`}>
                      <blockquote>{c.text}</blockquote>
                      <p className="muted">
                        {formatDateTime(c.when, zone)} · <Link to={`/interviews/${c.interviewId}`}>the interview</Link>
                      </p>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </>
        )}
      </div>
    </>
  )
}
