import { describe, expect, it } from 'vitest'
import { serverOffset, stepClock } from './clock'
import { closeReason, summarizeConnection } from './connection'
import { isPermanentClose } from './socket'

describe('summarizeConnection', () => {
  const healthy = { online: true, notes: 'connected', notesSynced: true, control: 'connected' } as const

  it('says connected only when notes are synced and control is up', () => {
    expect(summarizeConnection(healthy)).toEqual({ tone: 'ok', text: 'Connected' })
    expect(summarizeConnection({ ...healthy, notesSynced: false }).text).toBe('Connecting…')
  })

  it('says it is reconnecting after a drop, and offline when the browser is', () => {
    expect(summarizeConnection({ ...healthy, control: 'disconnected' })).toMatchObject({ tone: 'warn' })
    expect(summarizeConnection({ ...healthy, online: false, notes: 'disconnected' }).text).toMatch(/Offline/)
  })

  it('says why it is retrying when the room is not open yet', () => {
    const summary = summarizeConnection({ ...healthy, control: 'disconnected', retryReason: closeReason(4425) })
    expect(summary.text).toMatch(/^The room is not open yet.*Retrying…$/)
  })
  it('says a page that fell behind is catching up, and retries', () => {
    expect(isPermanentClose(1013)).toBe(false)
    const summary = summarizeConnection({ ...healthy, notes: 'disconnected', retryReason: closeReason(1013) })
    expect(summary.tone).toBe('warn')
    expect(summary.text).toBe('This page fell behind the room — catching up. Retrying…')
  })

  it('names the reason when the room refuses for good', () => {
    const summary = summarizeConnection({ ...healthy, notes: 'closed', closedReason: closeReason(4403) })
    expect(summary).toEqual({ tone: 'bad', text: 'You are not allowed in this room.' })
  })
})

describe('stepClock', () => {
  it('counts time on the step against its budget in server time', () => {
    const now = Date.parse('2026-06-01T10:05:00Z')
    const clock = stepClock(
      {
        stepStartedAt: '2026-06-01T10:00:30Z',
        startedAt: '2026-06-01T09:58:00Z',
        budgetSeconds: 270,
        serverOffsetMs: 2000, // the server is 2 s ahead
      },
      now,
    )
    expect(clock).toEqual({ onStepSeconds: 272, remainingSeconds: -2, overBudget: true, totalSeconds: 422 })
  })

  it('stands still at the end, however long after it is read', () => {
    const input = {
      stepStartedAt: '2026-06-01T10:00:30Z',
      startedAt: '2026-06-01T09:58:00Z',
      endedAt: '2026-06-01T10:03:00Z',
      budgetSeconds: 270,
      serverOffsetMs: 0,
    }
    const atEnd = stepClock(input, Date.parse('2026-06-01T10:03:00Z'))
    expect(atEnd).toEqual({ onStepSeconds: 150, remainingSeconds: 120, overBudget: false, totalSeconds: 300 })
    expect(stepClock(input, Date.parse('2026-06-02T08:00:00Z'))).toEqual(atEnd)
  })

  it('shows zero before the interview starts', () => {
    const clock = stepClock({ stepStartedAt: null, startedAt: null, budgetSeconds: 60, serverOffsetMs: 0 }, 0)
    expect(clock).toMatchObject({ onStepSeconds: 0, remainingSeconds: 60, overBudget: false })
  })

  it('derives the offset from a server timestamp', () => {
    expect(serverOffset('2026-06-01T10:00:05Z', Date.parse('2026-06-01T10:00:00Z'))).toBe(5000)
    expect(serverOffset(undefined, 1)).toBe(0)
  })
})
