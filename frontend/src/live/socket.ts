// A JSON websocket that reconnects by itself with capped exponential backoff, like the Yjs
// provider does for the notes, and reports its state so the room can show it.

export type SocketStatus = 'connecting' | 'connected' | 'disconnected' | 'closed'

export interface SocketOptions {
  onMessage: (message: unknown) => void
  onStatus: (status: SocketStatus, detail?: { code: number; reason: string }) => void
  WebSocketImpl?: typeof WebSocket
  minBackoffMs?: number
  maxBackoffMs?: number
  random?: () => number
  setTimer?: (fn: () => void, ms: number) => unknown
  clearTimer?: (timer: unknown) => void
}

// The room is not open yet, or we sent too fast: both pass, so keep trying (with backoff).
const RETRYABLE = new Set([4425, 4429])

/** Close codes after which reconnecting cannot help (refused, not found, ended). */
export function isPermanentClose(code: number): boolean {
  return code >= 4400 && code < 4500 && !RETRYABLE.has(code)
}

/** Delay before reconnect attempt `attempt` (0-based): doubling, capped, with jitter. */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random: () => number): number {
  const base = Math.min(maxMs, minMs * 2 ** attempt)
  return Math.round(base / 2 + (random() * base) / 2)
}

export class ReconnectingSocket {
  private socket: WebSocket | null = null
  private attempt = 0
  private timer: unknown = null
  private stopped = false
  status: SocketStatus = 'connecting'
  private readonly url: string
  private readonly options: Required<SocketOptions>

  constructor(url: string, options: SocketOptions) {
    this.url = url
    this.options = {
      WebSocketImpl: WebSocket,
      minBackoffMs: 250,
      maxBackoffMs: 4000,
      random: Math.random,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
      ...options,
    }
    this.open()
  }

  private setStatus(status: SocketStatus, detail?: { code: number; reason: string }) {
    this.status = status
    this.options.onStatus(status, detail)
  }

  private open() {
    if (this.stopped) return
    this.setStatus('connecting')
    const socket = new this.options.WebSocketImpl(this.url)
    this.socket = socket
    socket.onopen = () => {
      this.attempt = 0
      this.setStatus('connected')
    }
    socket.onmessage = (event: MessageEvent) => {
      if (typeof event.data !== 'string') return
      let message: unknown
      try {
        message = JSON.parse(event.data)
      } catch {
        return
      }
      this.options.onMessage(message)
    }
    socket.onclose = (event: CloseEvent) => {
      if (this.socket !== socket) return
      this.socket = null
      if (this.stopped) return
      if (isPermanentClose(event.code)) {
        this.stopped = true
        this.setStatus('closed', { code: event.code, reason: event.reason })
        return
      }
      this.setStatus('disconnected', { code: event.code, reason: event.reason })
      const delay = backoffDelay(this.attempt++, this.options.minBackoffMs, this.options.maxBackoffMs, this.options.random)
      this.timer = this.options.setTimer(() => this.open(), delay)
    }
  }

  /** Send a message now; false when not connected (the caller says so, nothing is queued). */
  send(message: unknown): boolean {
    if (!this.socket || this.socket.readyState !== 1) return false
    this.socket.send(JSON.stringify(message))
    return true
  }

  /** Reconnect at once (the browser came back online) instead of waiting out the backoff. */
  reconnectNow() {
    if (this.stopped || this.socket) return
    if (this.timer !== null) this.options.clearTimer(this.timer)
    this.timer = null
    this.attempt = 0
    this.open()
  }

  /** Drop the connection as a network failure would; it reconnects by itself at once. */
  drop() {
    const socket = this.socket
    if (!socket || this.stopped) return
    this.socket = null
    socket.onclose = null
    socket.close(1000)
    this.attempt = 0
    this.setStatus('disconnected', { code: 1006, reason: 'dropped' })
    this.open()
  }

  close() {
    this.stopped = true
    if (this.timer !== null) this.options.clearTimer(this.timer)
    const socket = this.socket
    this.socket = null
    socket?.close(1000)
  }
}
