import { describe, expect, it } from 'vitest'
import { currentSocket, FakeSocket, FakeWebSocket } from '../test/fakeSocket'
import { backoffDelay, ReconnectingSocket, type SocketStatus } from './socket'

function harness() {
  FakeSocket.instances = []
  const statuses: SocketStatus[] = []
  const messages: unknown[] = []
  const timers: { fn: () => void; ms: number }[] = []
  const socket = new ReconnectingSocket('ws://x/ws/interviews/1/control', {
    onMessage: (m) => messages.push(m),
    onStatus: (s) => statuses.push(s),
    WebSocketImpl: FakeWebSocket,
    random: () => 1,
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => undefined,
  })
  return { socket, statuses, messages, timers, current: currentSocket }
}

describe('ReconnectingSocket', () => {
  it('delivers parsed JSON and ignores what is not JSON', () => {
    const h = harness()
    h.current().serverOpens()
    h.current().serverSends('{"type":"state","step":2}')
    h.current().serverSends('not json')
    h.current().serverSends(new ArrayBuffer(2))
    expect(h.messages).toEqual([{ type: 'state', step: 2 }])
    expect(h.statuses).toEqual(['connecting', 'connected'])
  })

  it('reconnects after a drop with growing delays, and resets them once connected', () => {
    const h = harness()
    h.current().serverOpens()
    h.current().drops()
    expect(h.statuses.at(-1)).toBe('disconnected')
    expect(h.timers.map((t) => t.ms)).toEqual([250])
    h.timers[0].fn()
    h.current().drops()
    h.timers[1].fn()
    h.current().drops()
    expect(h.timers.map((t) => t.ms)).toEqual([250, 500, 1000])
    h.timers[2].fn()
    h.current().serverOpens()
    h.current().drops()
    expect(h.timers.at(-1)!.ms).toBe(250)
    expect(FakeSocket.instances).toHaveLength(4)
  })

  it('stops for good when the server refuses with a 44xx code', () => {
    const h = harness()
    h.current().drops(4403, 'not a participant')
    expect(h.statuses.at(-1)).toBe('closed')
    expect(h.timers).toHaveLength(0)
  })

  it('keeps trying while the room is not open yet', () => {
    const h = harness()
    h.current().drops(4425, 'the room is not open yet')
    expect(h.statuses.at(-1)).toBe('disconnected')
    expect(h.timers).toHaveLength(1)
  })

  it('refuses to send while disconnected instead of queueing an authority action', () => {
    const h = harness()
    expect(h.socket.send({ type: 'next_step' })).toBe(false)
    h.current().serverOpens()
    expect(h.socket.send({ type: 'next_step' })).toBe(true)
    expect(h.current().sent).toEqual(['{"type":"next_step"}'])
  })

  it('does not reconnect after being closed by the page', () => {
    const h = harness()
    h.current().serverOpens()
    h.socket.close()
    h.current().drops()
    expect(h.timers).toHaveLength(0)
  })
})

describe('backoffDelay', () => {
  it('is capped', () => {
    expect(backoffDelay(20, 250, 4000, () => 1)).toBe(4000)
    expect(backoffDelay(0, 250, 4000, () => 0)).toBe(125)
  })
})
