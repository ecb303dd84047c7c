// Waiting for an instant match: the server pushes the match on ws/match/instant/ the moment it
// is made; polling GET /api/match/instant/ is the fallback while that socket is down, and a slow
// keep-alive while it is up (the server expires a queue entry nobody has polled for a minute,
// and each poll retries the pairing with the criteria widened by the wait so far).
import { ApiError } from '../api/client'
import type { components } from '../api/schema'
import { ReconnectingSocket, type SocketStatus } from '../live/socket'

export type InstantState = components['schemas']['InstantOutput']

/** How the match will reach this page: pushed, or by asking now and then. */
export type PushStatus = 'connecting' | 'live' | 'polling' | 'unavailable'

export const KEEPALIVE_MS = 20_000
export const FALLBACK_POLL_MS = 5_000

export interface WatchCallbacks {
  onPush: (status: PushStatus) => void
  onState: (state: InstantState) => void
  onMatched: (interviewId: number) => void
  /** The wait ended without a match (left, expired) or with a refusal from the server. */
  onStopped: (outcome: { state?: InstantState; error?: unknown }) => void
}

export interface WatchOptions extends WatchCallbacks {
  socketUrl: string
  poll: () => Promise<InstantState>
  keepAliveMs?: number
  fallbackPollMs?: number
  now?: () => number
  setTimer?: (fn: () => void, ms: number) => unknown
  clearTimer?: (timer: unknown) => void
  WebSocketImpl?: typeof WebSocket
}

export function matchedInterview(state: InstantState | null | undefined): number | null {
  return state?.interview_id ?? null
}

/** Words for the connection line under "Looking for a partner". */
export function pushStatusText(status: PushStatus): string {
  switch (status) {
    case 'live':
      return 'Connected: you go to the room the moment a partner is found.'
    case 'connecting':
      return 'Connecting for live updates…'
    case 'polling':
      return `Live updates are down, reconnecting; checking every ${FALLBACK_POLL_MS / 1000} seconds meanwhile.`
    case 'unavailable':
      return `Live updates are unavailable; checking every ${FALLBACK_POLL_MS / 1000} seconds.`
  }
}

export type InstantRole = InstantState['role']

const ROLE_NAMES: Record<InstantRole, [string, string]> = {
  candidate: ['candidate', 'candidates'],
  interviewer: ['interviewer', 'interviewers'],
  swap: ['swap', 'swaps'],
}

/** "Candidate", "Interviewer", "Both (swap)": the words of the role picker. */
export function roleLabel(role: InstantRole): string {
  return role === 'swap' ? 'Both (swap)' : role === 'candidate' ? 'Candidate' : 'Interviewer'
}

/** Who else is waiting, in counts only: the server never says who. */
export function queueText(queue: InstantState['queue']): string | null {
  if (!queue) return null
  const parts = (Object.keys(ROLE_NAMES) as InstantRole[])
    .filter((role) => queue[role] > 0)
    .map((role) => `${queue[role]} ${ROLE_NAMES[role][queue[role] === 1 ? 0 : 1]}`)
  if (parts.length === 0) return 'Nobody else is waiting right now.'
  return `Also waiting now: ${parts.join(', ')}.`
}

/** When and how the search widens next, said before it does; null once it is as wide as it goes. */
export function widensText(state: Pick<InstantState, 'widens_at' | 'widens_how'>, now: number): string | null {
  if (!state.widens_at || !state.widens_how) return null
  const seconds = Math.max(0, Math.ceil((Date.parse(state.widens_at) - now) / 1000))
  const when = seconds === 0 ? 'Any moment now' : `In ${seconds}s`
  return `${when} the search widens ${state.widens_how}, since nobody with your level and domains is free.`
}

/** What "Both (swap)" turns into when the partner wanted only one role, said before booking. */
export function swapNote(role: string): string | null {
  if (role !== 'swap') return null
  return 'A match with someone who chose "Candidate" becomes one interview, with you as the interviewer; with someone who chose "Interviewer", one interview with you as the candidate.'
}

/** Listen for the match push and poll on the side; stop() ends both. */
export class InstantWatch {
  private readonly options: Required<WatchOptions>
  private readonly socket: ReconnectingSocket
  private push: PushStatus = 'connecting'
  private timer: unknown = null
  private lastPollAt: number
  private polling = false
  private again = false
  private stopped = false

  constructor(options: WatchOptions) {
    this.options = {
      keepAliveMs: KEEPALIVE_MS,
      fallbackPollMs: FALLBACK_POLL_MS,
      now: Date.now,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
      WebSocketImpl: WebSocket,
      ...options,
    }
    // The join that started the wait counts as the first poll.
    this.lastPollAt = this.options.now()
    this.options.onPush(this.push)
    this.socket = new ReconnectingSocket(this.options.socketUrl, {
      onMessage: (message) => this.onMessage(message),
      onStatus: (status) => this.onSocketStatus(status),
      WebSocketImpl: this.options.WebSocketImpl,
      setTimer: this.options.setTimer,
      clearTimer: this.options.clearTimer,
    })
    this.schedule()
  }

  get pushStatus(): PushStatus {
    return this.push
  }

  /** The browser came back online: reconnect now rather than after the backoff. */
  reconnectNow() {
    this.socket.reconnectNow()
  }

  stop() {
    if (this.stopped) return
    this.stopped = true
    this.clear()
    this.socket.close()
  }

  private setPush(status: PushStatus) {
    if (status === this.push) return
    this.push = status
    this.options.onPush(status)
    this.schedule()
  }

  private onSocketStatus(status: SocketStatus) {
    if (this.stopped) return
    // Open is not enough: the server says "listening" once it has subscribed us to the push.
    if (status === 'connected') return
    if (status === 'closed') this.setPush('unavailable')
    else if (status === 'disconnected') this.setPush('polling')
    else if (this.push !== 'polling') this.setPush('connecting')
  }

  private onMessage(message: unknown) {
    if (this.stopped || !message || typeof message !== 'object') return
    const m = message as { type?: unknown; interview_id?: unknown }
    if (m.type === 'listening') {
      this.setPush('live')
      // A match made before the subscription (or while the socket was down) was pushed to
      // nobody: ask once now instead of waiting for the keep-alive.
      void this.pollNow()
    } else if (m.type === 'matched' && typeof m.interview_id === 'number') {
      this.finish(() => this.options.onMatched(m.interview_id as number))
    }
  }

  private interval(): number {
    return this.push === 'live' ? this.options.keepAliveMs : this.options.fallbackPollMs
  }

  /** Next poll one interval after the last one, so a flapping socket cannot starve the keep-alive. */
  private schedule() {
    if (this.stopped || this.polling) return
    this.clear()
    const delay = Math.max(0, this.lastPollAt + this.interval() - this.options.now())
    this.timer = this.options.setTimer(() => {
      this.timer = null
      void this.pollNow()
    }, delay)
  }

  private clear() {
    if (this.timer !== null) this.options.clearTimer(this.timer)
    this.timer = null
  }

  private async pollNow() {
    if (this.stopped) return
    if (this.polling) {
      // The answer on its way may predate what we need to know: ask again when it lands.
      this.again = true
      return
    }
    this.again = false
    this.clear()
    this.polling = true
    this.lastPollAt = this.options.now()
    try {
      const state = await this.options.poll()
      if (this.stopped) return
      const id = matchedInterview(state)
      if (id !== null) return this.finish(() => this.options.onMatched(id))
      if (state.status && state.status !== 'waiting') return this.finish(() => this.options.onStopped({ state }))
      this.options.onState(state)
    } catch (error) {
      if (this.stopped) return
      // A dropped request is retried on the next tick; a refusal from the server ends the wait.
      if (!(error instanceof ApiError && error.status === 0)) return this.finish(() => this.options.onStopped({ error }))
    } finally {
      this.polling = false
    }
    if (this.again) void this.pollNow()
    else this.schedule()
  }

  private finish(report: () => void) {
    this.stop()
    report()
  }
}
