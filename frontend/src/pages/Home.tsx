import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router-dom'
import { api } from '../api/client'
import { keys, labelOf, useFramework } from '../api/queries'
import type { Due, InterviewRequest, Me } from '../api/types'
import { Loaded } from '../components/forms'
import { formatDateTime, timeLeft } from '../lib/time'
import { InterviewRow } from './Interviews'

/** The home page: what to do next, soonest first, and where everything else lives. */
export function HomePage({ me }: { me: Me }) {
  const agenda = useQuery({
    queryKey: keys.agenda,
    queryFn: () => api.get('/api/me/agenda/'),
    refetchInterval: 30_000,
  })
  return (
    <section className="home">
      <div className="page-head">
        <h1>Your interviews</h1>
        <Link className="button primary" to="/availability">
          Get paired
        </Link>
      </div>
      <Loaded query={agenda}>
        {(a) => (
          <>
            <section className="card" aria-labelledby="due-title" data-testid="due">
              <h2 id="due-title">Due from you</h2>
              {a.due.length === 0 ? (
                <p className="muted">Nothing to write: every scorecard and feedback of yours is in.</p>
              ) : (
                <ul className="due-list">
                  {a.due.map((due) => (
                    <DueRow key={`${due.kind}-${due.interview.id}`} due={due} me={me} />
                  ))}
                </ul>
              )}
            </section>
            <section aria-labelledby="upcoming-title" data-testid="upcoming">
              <h2 id="upcoming-title">Coming up</h2>
              {a.upcoming.length === 0 ? (
                <p className="muted">
                  Nothing scheduled. <Link to="/availability">Publish availability or match now</Link>.
                </p>
              ) : (
                <ul className="interview-list">
                  {a.upcoming.map((iv) => (
                    <InterviewRow key={iv.id} interview={iv} me={me} />
                  ))}
                </ul>
              )}
              {a.upcoming_count > a.upcoming.length && (
                <p>
                  <Link to="/interviews">All {a.upcoming_count} upcoming interviews</Link>
                </p>
              )}
            </section>
            <section className="card" aria-labelledby="request-title" data-testid="open-request">
              <h2 id="request-title">Waiting to be paired</h2>
              <OpenRequest request={a.open_request} me={me} />
            </section>
          </>
        )}
      </Loaded>
      <nav className="actions" aria-label="More">
        <Link to="/history">Your interview history</Link>
        <Link to="/report">Your weakness report</Link>
        <Link to="/welcome">How Sevenstep works</Link>
      </nav>
    </section>
  )
}

function DueRow({ due, me }: { due: Due; me: Me }) {
  const zone = me.profile.time_zone ?? 'UTC'
  const iv = due.interview
  const scorecard = due.kind === 'scorecard'
  return (
    <li className="due-row">
      <Link to={`/interviews/${iv.id}/${due.kind}`}>
        {scorecard ? `Score ${iv.candidate.display_name}` : `Give feedback on ${iv.interviewer.display_name}`}
      </Link>{' '}
      <span className={`badge ${due.started ? 'info' : 'warn'}`}>{due.started ? 'Draft saved' : 'Not started'}</span>
      <p className="muted">
        {iv.question.title} · due <strong>{formatDateTime(due.deadline_at, zone)}</strong> ({timeLeft(due.deadline_at)})
      </p>
    </li>
  )
}

function OpenRequest({ request, me }: { request: InterviewRequest | null; me: Me }) {
  const framework = useFramework()
  const zone = me.profile.time_zone ?? 'UTC'
  if (!request) {
    return (
      <p className="muted">
        No open request. <Link to="/availability">Ask to be paired</Link> and the matching runs book you when a partner is free.
      </p>
    )
  }
  return (
    <>
      <p>
        You asked to be paired as <strong>{labelOf(framework.data?.roles, request.role).toLowerCase()}</strong> (
        {labelOf(framework.data?.levels, request.level)})
        {request.question_title && <> on “{request.question_title}”</>}.
        {request.next_match_run_at && <> The next matching run is at {formatDateTime(request.next_match_run_at, zone)}.</>}
      </p>
      {request.unserved_help && <p className="muted">{request.unserved_help}</p>}
      <p>
        <Link to="/availability">Change your availability or request</Link>
      </p>
    </>
  )
}
