import { describe, expect, it } from 'vitest'
import { ApiError } from '../api/client'
import { currentSocket, FakeSocket, FakeWebSocket } from '../test/fakeSocket'
import {
  FALLBACK_POLL_MS,
  InstantWatch,
  KEEPALIVE_MS,
  queueText,
  roleLabel,
  swapNote,
  widensText,
  type InstantState,
  type PushStatus,
} from './instantMatch'

const WAITING: InstantState = {
  id: 1,
  status: 'waiting',
  role: 'candidate',
  level: 'senior',
  waiting_since: '2030-01-01T00:00:00Z',
  relaxed: false,
  interview_id: null,
  join_url: null,
  queue: { candidate: 0, interviewer: 0, swap: 0 },
  suggested_role: null,
  suggestion: null,
  widens_at: '2030-01-01T00:00:30Z',
  widens_how: 'to any domain and levels one apart',
}

/** Timers on a clock the test moves by hand. */
class Clock {
  now = 0
  private timers = new Map<number, { at: number; fn: () => void }>()
  private next = 1
  setTimer = (fn: () => void, ms: number) => {
    const id = this.next++
    this.timers.set(id, { at: this.now + ms, fn })
    return id
  }
  clearTimer = (id: unknown) => {
    this.timers.delete(id as number)
  }
  async advance(ms: number) {
    const until = this.now + ms
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0]
      if (!due) break
      this.timers.delete(due[0])
      this.now = due[1].at
      due[1].fn()
      await settle()
    }
    this.now = until
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

function harness(answers: (() => InstantState)[] = []) {
  FakeSocket.instances = []
  const clock = new Clock()
  const pushes: PushStatus[] = []
  const polls: number[] = []
  const states: InstantState[] = []
  const matched: number[] = []
  const stopped: { state?: InstantState; error?: unknown }[] = []
  const watch = new InstantWatch({
    socketUrl: 'ws://x/ws/match/instant/',
    poll: async () => {
      polls.push(clock.now)
      return (answers.shift() ?? (() => WAITING))()
    },
    onPush: (s) => pushes.push(s),
    onState: (s) => states.push(s),
    onMatched: (id) => matched.push(id),
    onStopped: (outcome) => stopped.push(outcome),
    now: () => clock.now,
    setTimer: clock.setTimer,
    clearTimer: clock.clearTimer,
    WebSocketImpl: FakeWebSocket,
  })
  return { watch, clock, pushes, polls, states, matched, stopped, socket: currentSocket }
}

async function listening(h: ReturnType<typeof harness>) {
  h.socket().serverOpens()
  h.socket().serverSends('{"type":"listening"}')
  await settle()
}

describe('InstantWatch', () => {
  it('goes to the room the moment the match is pushed, and stops listening', async () => {
    const h = harness()
    expect(h.socket().url).toBe('ws://x/ws/match/instant/')
    await listening(h)
    expect(h.pushes).toEqual(['connecting', 'live'])
    h.socket().serverSends('{"type":"matched","interview_id":42,"join_url":"/interviews/42/room"}')
    expect(h.matched).toEqual([42])
    await h.clock.advance(10 * KEEPALIVE_MS)
    expect(h.polls).toHaveLength(1) // only the catch-up poll on subscribing
    expect(h.socket().readyState).toBe(3)
  })

  it('asks once on subscribing, for a match made before the socket was listening', async () => {
    const matchedEarly = { ...WAITING, status: 'matched' as const, interview_id: 7 }
    const h = harness([() => matchedEarly])
    await listening(h)
    expect(h.polls).toEqual([0])
    expect(h.matched).toEqual([7])
  })

  it('keeps the queue entry alive with a slow poll while the push is live', async () => {
    const h = harness()
    await listening(h)
    await h.clock.advance(KEEPALIVE_MS * 3)
    expect(h.polls).toEqual([0, KEEPALIVE_MS, 2 * KEEPALIVE_MS, 3 * KEEPALIVE_MS])
    expect(h.states.at(-1)).toEqual(WAITING)
  })

  it('falls back to polling while the socket is down, and says so', async () => {
    const h = harness()
    await listening(h)
    h.socket().drops(1006)
    expect(h.pushes.at(-1)).toBe('polling')
    await h.clock.advance(FALLBACK_POLL_MS)
    expect(h.polls).toEqual([0, FALLBACK_POLL_MS])
    // The socket keeps trying to reconnect meanwhile; once it is back the poll slows down again.
    expect(FakeSocket.instances.length).toBeGreaterThan(1)
    await listening(h)
    expect(h.pushes.at(-1)).toBe('live')
    const before = h.polls.length
    await h.clock.advance(KEEPALIVE_MS - 1)
    expect(h.polls.length).toBe(before)
  })

  it('does not let a flapping socket starve the keep-alive', async () => {
    const h = harness()
    for (let i = 0; i < 8; i++) {
      await h.clock.advance(3_000)
      h.socket().drops(1006)
      await h.clock.advance(1_000)
    }
    // Down most of the time: polled every fallback interval whatever the socket did.
    expect(h.polls.length).toBeGreaterThanOrEqual(Math.floor(h.clock.now / FALLBACK_POLL_MS) - 1)
  })

  it('polls for good when the server refuses the socket', async () => {
    const h = harness()
    h.socket().drops(4401, 'log in first')
    expect(h.pushes.at(-1)).toBe('unavailable')
    await h.clock.advance(2 * FALLBACK_POLL_MS)
    expect(h.polls).toEqual([FALLBACK_POLL_MS, 2 * FALLBACK_POLL_MS])
    expect(FakeSocket.instances).toHaveLength(1)
  })

  it('ends the wait when the entry has expired or the server refuses', async () => {
    const expired = harness([() => ({ ...WAITING, status: 'expired' })])
    await listening(expired)
    expect(expired.stopped).toEqual([{ state: { ...WAITING, status: 'expired' } }])

    const refused = harness([
      () => {
        throw new ApiError(404, 'not_queued', 'You are not in the instant-match queue.')
      },
    ])
    await listening(refused)
    expect(refused.stopped[0].error).toBeInstanceOf(ApiError)
    await refused.clock.advance(10 * KEEPALIVE_MS)
    expect(refused.polls).toHaveLength(1)
  })

  it('retries a poll that could not reach the server', async () => {
    const h = harness([
      () => {
        throw new ApiError(0, 'network', 'Cannot reach the server.')
      },
    ])
    await h.clock.advance(FALLBACK_POLL_MS)
    expect(h.stopped).toEqual([])
    await h.clock.advance(FALLBACK_POLL_MS)
    expect(h.polls).toEqual([FALLBACK_POLL_MS, 2 * FALLBACK_POLL_MS])
  })

  it('stops everything when the page leaves the queue', async () => {
    const h = harness()
    await listening(h)
    h.watch.stop()
    h.socket().serverSends('{"type":"matched","interview_id":3,"join_url":"/x"}')
    await h.clock.advance(10 * KEEPALIVE_MS)
    expect(h.matched).toEqual([])
    expect(h.polls).toHaveLength(1)
  })
})

describe('what the waiting screen says about the queue', () => {
  it('counts the others in each role, singular and plural, and leaves out empty roles', () => {
    expect(queueText({ candidate: 2, interviewer: 0, swap: 1 })).toBe('Also waiting now: 2 candidates, 1 swap.')
    expect(queueText({ candidate: 0, interviewer: 1, swap: 0 })).toBe('Also waiting now: 1 interviewer.')
  })

  it('says when nobody else is waiting, and nothing once the wait is over', () => {
    expect(queueText({ candidate: 0, interviewer: 0, swap: 0 })).toBe('Nobody else is waiting right now.')
    expect(queueText(null)).toBeNull()
  })

  it('counts down to the widening and says how the search widens', () => {
    const at = Date.parse('2030-01-01T00:00:30Z')
    expect(widensText(WAITING, at - 12_000)).toBe(
      'In 12s the search widens to any domain and levels one apart, since nobody with your level and domains is free.',
    )
    expect(widensText(WAITING, at + 3_000)).toMatch(/^Any moment now the search widens/)
  })

  it('says nothing about widening once the search is as wide as it goes', () => {
    expect(widensText({ widens_at: null, widens_how: null }, 0)).toBeNull()
  })

  it('names the suggested role as the picker does', () => {
    expect(roleLabel('interviewer')).toBe('Interviewer')
    expect(roleLabel('candidate')).toBe('Candidate')
    expect(roleLabel('swap')).toBe('Both (swap)')
  })

  it('warns only a swap seeker that a match with a candidate becomes one interview', () => {
    expect(swapNote('swap')).toMatch(/someone who chose "Candidate" becomes one interview/)
    expect(swapNote('candidate')).toBeNull()
    expect(swapNote('interviewer')).toBeNull()
  })
})
