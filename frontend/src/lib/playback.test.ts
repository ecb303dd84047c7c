import { describe, expect, it } from 'vitest'
import {
  clamp,
  drifted,
  eventOffsets,
  momentAt,
  spanOf,
  stepAt,
  stepEntry,
  UNKNOWN_LENGTH_MS,
  voicesOf,
  voiceTime,
  type Recording,
} from './playback'
import type { ReplayEvent } from './replay'

const ORIGIN = '2026-06-01T10:00:00Z'
const EVENTS: ReplayEvent[] = [
  { kind: 'recording_started', step: null, at: '2026-06-01T09:59:50Z', role: null },
  { kind: 'started', step: null, at: '2026-06-01T10:00:00Z', role: null },
  { kind: 'step_entered', step: 1, at: '2026-06-01T10:00:00Z', role: null },
  { kind: 'step_entered', step: 2, at: '2026-06-01T10:00:30.500Z', role: null },
  { kind: 'recording_stopped', step: null, at: '2026-06-01T10:01:00Z', role: null },
  { kind: 'step_entered', step: 1, at: '2026-06-01T10:02:00Z', role: null },
  { kind: 'ended', step: null, at: '2026-06-01T10:03:00Z', role: null },
]

const recording: Recording = {
  interview: 7,
  clock_origin: ORIGIN,
  consented: { interviewer: true, candidate: true },
  active: false,
  tracks: [
    { role: 'interviewer', chunks: 3, bytes: 300, start_offset_ms: -10_000, content_type: 'audio/webm', url: '/i' },
    { role: 'candidate', chunks: 3, bytes: 300, start_offset_ms: 2_000, content_type: 'audio/webm', url: '/c' },
  ],
}

describe('the replay clock', () => {
  const offsets = eventOffsets(EVENTS, ORIGIN)

  it('puts each event on the interview clock in ms', () => {
    expect(offsets).toEqual([-10_000, 0, 0, 30_500, 60_000, 120_000, 180_000])
  })

  it('shows the latest moment at or before a position', () => {
    expect(momentAt(offsets, -10_000)).toBe(0)
    expect(momentAt(offsets, -1)).toBe(0)
    // Two events at one instant: the later of them, where the notes stood last.
    expect(momentAt(offsets, 0)).toBe(2)
    expect(momentAt(offsets, 30_499)).toBe(2)
    expect(momentAt(offsets, 30_500)).toBe(3)
    expect(momentAt(offsets, 10 ** 9)).toBe(6)
  })

  it('shows the first moment before anything happened', () => {
    expect(momentAt(offsets, -60_000)).toBe(0)
    expect(momentAt([], 5)).toBe(0)
  })

  it('knows the step at a moment even when the moment is no step change', () => {
    expect(stepAt(EVENTS, 1)).toBeNull()
    expect(stepAt(EVENTS, 2)).toBe(1)
    expect(stepAt(EVENTS, 4)).toBe(2) // recording stopped during step 2
    expect(stepAt(EVENTS, 6)).toBe(1) // went back to step 1 before the end
    expect(stepAt(EVENTS, 99)).toBe(1)
  })

  it('finds where a step began: the first time it was entered', () => {
    expect(stepEntry(EVENTS, 1)).toBe(2)
    expect(stepEntry(EVENTS, 2)).toBe(3)
    expect(stepEntry(EVENTS, 5)).toBe(-1)
  })
})

describe('the voices', () => {
  const voices = voicesOf(recording, { interviewer: 70_000 })
  const [ivy, carl] = voices

  it('places each track at its start, its length once known', () => {
    expect(voices).toEqual([
      { role: 'interviewer', url: '/i', startMs: -10_000, durationMs: 70_000 },
      { role: 'candidate', url: '/c', startMs: 2_000, durationMs: null },
    ])
  })

  it('covers from the first start to the last end', () => {
    expect(spanOf(voices)).toEqual({ startMs: -10_000, endMs: 2_000 + UNKNOWN_LENGTH_MS })
    expect(spanOf(voicesOf(recording, { interviewer: 70_000, candidate: 30_000 }))).toEqual({
      startMs: -10_000,
      endMs: 60_000,
    })
    expect(spanOf([])).toBeNull()
  })

  it('keeps a position inside the span', () => {
    const span = { startMs: -10_000, endMs: 60_000 }
    expect(clamp(span, -20_000)).toBe(-10_000)
    expect(clamp(span, 5_000)).toBe(5_000)
    expect(clamp(span, 70_000)).toBe(60_000)
  })

  it('plays a track only inside its own stretch of the clock', () => {
    expect(voiceTime(ivy, -10_000)).toBe(0)
    expect(voiceTime(ivy, 0)).toBe(10)
    expect(voiceTime(ivy, 59_999)).toBeCloseTo(69.999)
    expect(voiceTime(ivy, 60_000)).toBeNull()
    expect(voiceTime(carl, 1_999)).toBeNull()
    expect(voiceTime(carl, 2_500)).toBe(0.5)
    // Not known to end yet: plays on until the element itself ends.
    expect(voiceTime(carl, 10 ** 7)).toBe((10 ** 7 - 2_000) / 1000)
  })

  it('puts a track back only when it drifted noticeably', () => {
    expect(drifted(10.1, 10)).toBe(false)
    expect(drifted(10.5, 10)).toBe(true)
    expect(drifted(9.5, 10)).toBe(true)
  })
})
