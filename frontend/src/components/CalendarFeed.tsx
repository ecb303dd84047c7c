import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useState } from 'react'
import { api } from '../api/client'
import { useTimeZone } from '../lib/me'
import { formatDateTime } from '../lib/time'
import { ErrorMessage, Loaded } from './forms'
import { keys } from '../api/queries'

/** The private calendar feed: create or replace its secret URL, or revoke it. */
export function CalendarFeed() {
  const zone = useTimeZone()
  const queryClient = useQueryClient()
  const status = useQuery({ queryKey: keys.calendarFeed, queryFn: () => api.get('/api/calendar/feed/') })
  const [url, setUrl] = useState<string | null>(null)
  const [error, setError] = useState<unknown>(null)
  const run = async (action: () => Promise<void>) => {
    setError(null)
    try {
      await action()
    } catch (e) {
      setError(e)
    } finally {
      await queryClient.invalidateQueries({ queryKey: keys.calendarFeed })
    }
  }
  const create = () => run(async () => setUrl((await api.post('/api/calendar/feed/')).url))
  const revoke = () =>
    run(async () => {
      await api.delete('/api/calendar/feed/')
      setUrl(null)
    })
  return (
    <section className="narrow card" aria-labelledby="feed-title">
      <h2 id="feed-title">Calendar feed</h2>
      <p className="muted">Subscribe to your interviews from any calendar app. The link is secret: anyone with it can read them.</p>
      <Loaded query={status}>
        {(feed) => (
          <>
            {feed.active && feed.created_at && <p>Active since {formatDateTime(feed.created_at, zone)}.</p>}
            {url && (
              <div className="field">
                <label htmlFor="feed-url">Your feed URL (shown once)</label>
                <input id="feed-url" readOnly value={url} onFocus={(e) => e.target.select()} />
              </div>
            )}
            <div className="actions">
              <button type="button" onClick={create}>
                {feed.active ? 'Replace the link' : 'Create a feed link'}
              </button>
              {feed.active && (
                <button type="button" className="danger" onClick={revoke}>
                  Revoke
                </button>
              )}
            </div>
          </>
        )}
      </Loaded>
      <ErrorMessage error={error} />
    </section>
  )
}
