import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { Link } from 'react-router-dom'
import { api } from '../api/client'
import { heldTimes, partnerOf, roleOf, statusLabel, useRoomOpen, type InterviewSummary } from '../api/interviews'
import type { Me } from '../api/types'
import { Loaded } from '../components/forms'
import { formatRange } from '../lib/time'
import { keys } from '../api/queries'

type When = 'upcoming' | 'past'

/** Every upcoming interview (/interviews), or the history of past ones in both roles (/history). */
export function InterviewsPage({ me, when }: { me: Me; when: When }) {
  const [page, setPage] = useState(1)
  const interviews = useQuery({
    queryKey: keys.interviewList(when, page),
    queryFn: () => api.get('/api/interviews/', { query: { when, page } }),
    refetchInterval: when === 'upcoming' ? 30_000 : false,
  })
  return (
    <section>
      <div className="page-head">
        <h1>{when === 'upcoming' ? 'Upcoming interviews' : 'Interview history'}</h1>
        <Link className="button primary" to="/availability">
          Get paired
        </Link>
      </div>
      <nav className="actions" aria-label="Interviews">
        <Link to="/">What’s next</Link>
        {when === 'upcoming' ? <Link to="/history">Past interviews</Link> : <Link to="/interviews">Upcoming interviews</Link>}
      </nav>
      <Loaded query={interviews}>
        {(data) =>
          data.results.length === 0 ? (
            <p className="muted">
              {when === 'upcoming' ? (
                <>
                  Nothing scheduled. <Link to="/availability">Publish availability or match now</Link>.
                </>
              ) : (
                'No past interviews yet.'
              )}
            </p>
          ) : (
            <>
              <ul className="interview-list">
                {data.results.map((iv) => (
                  <InterviewRow key={iv.id} interview={iv} me={me} />
                ))}
              </ul>
              {(data.previous || data.next) && (
                <nav className="actions" aria-label="Pages">
                  <button type="button" disabled={!data.previous} onClick={() => setPage((p) => p - 1)}>
                    Previous page
                  </button>
                  <button type="button" disabled={!data.next} onClick={() => setPage((p) => p + 1)}>
                    Next page
                  </button>
                </nav>
              )}
            </>
          )
        }
      </Loaded>
    </section>
  )
}

export function InterviewRow({ interview, me }: { interview: InterviewSummary; me: Me }) {
  const zone = me.profile.time_zone ?? 'UTC'
  const role = roleOf(interview, me)
  const partner = partnerOf(interview, me)
  // Offer to join only once the room takes people in.
  const live = useRoomOpen(interview)
  const held = heldTimes(interview)
  return (
    <li className="card interview-row">
      <div>
        <h2>
          <Link to={`/interviews/${interview.id}`}>{interview.question.title}</Link>
        </h2>
        <p>
          <strong data-testid="when">{formatRange(held?.from ?? interview.starts_at, held?.to ?? interview.ends_at, zone)}</strong>
          {held && <span className="muted"> (booked for {formatRange(interview.starts_at, interview.ends_at, zone)})</span>}
        </p>
        <p className="muted">
          {role === 'interviewer' ? 'You interview' : 'Interviewed by'} {partner.display_name} ·{' '}
          <span className={`badge ${interview.status === 'live' ? 'ok' : interview.status === 'cancelled' || interview.status === 'no_show' ? 'bad' : 'info'}`}>
            {statusLabel(interview.status)}
          </span>
        </p>
      </div>
      <div className="actions">
        {live && (
          <Link className="button primary" to={`/interviews/${interview.id}/room`}>
            Join room
          </Link>
        )}
        {interview.status === 'completed' && (
          <>
            <Link className="button" to={`/interviews/${interview.id}/replay`}>
              Replay
            </Link>
            <Link className="button" to={`/interviews/${interview.id}/scorecard`}>
              {role === 'interviewer' ? 'Your scorecard' : 'Scorecard received'}
            </Link>
            <Link className="button" to={`/interviews/${interview.id}/feedback`}>
              {role === 'interviewer' ? 'Feedback received' : 'Your feedback'}
            </Link>
          </>
        )}
      </div>
    </li>
  )
}
