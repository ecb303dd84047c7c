import { describe, expect, it } from 'vitest'
import {
  addDays,
  timeLeft,
  toLocalInput,
  formatClock,
  formatDateTime,
  formatDuration,
  formatRange,
  mondayOfWeek,
  wallTimeToUtc,
  weekdayIndex,
  zoneOffsetMinutes,
} from './time'

describe('wallTimeToUtc', () => {
  it('converts an ordinary summer time in Berlin', () => {
    const instant = wallTimeToUtc({ year: 2026, month: 7, day: 1, hour: 9, minute: 30 }, 'Europe/Berlin')
    expect(instant.toISOString()).toBe('2026-07-01T07:30:00.000Z')
  })

  it('converts a winter time in New York', () => {
    const instant = wallTimeToUtc(
      { year: 2026, month: 1, day: 15, hour: 18, minute: 0 },
      'America/New_York',
    )
    expect(instant.toISOString()).toBe('2026-01-15T23:00:00.000Z')
  })

  it('moves a time inside the spring-forward gap past the gap', () => {
    // Europe skips 02:00-03:00 on 29 March 2026.
    const instant = wallTimeToUtc({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, 'Europe/Berlin')
    expect(instant.toISOString()).toBe('2026-03-29T01:30:00.000Z')
  })

  it('takes the first occurrence of an ambiguous fall-back time', () => {
    // Europe repeats 02:00-03:00 on 25 October 2026: first at +02:00.
    const instant = wallTimeToUtc({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, 'Europe/Berlin')
    expect(instant.toISOString()).toBe('2026-10-25T00:30:00.000Z')
  })

  it('handles zones with half-hour offsets', () => {
    const instant = wallTimeToUtc({ year: 2026, month: 5, day: 4, hour: 10, minute: 0 }, 'Asia/Kolkata')
    expect(instant.toISOString()).toBe('2026-05-04T04:30:00.000Z')
  })
})

describe('zone offsets and weeks', () => {
  it('reads the offset on both sides of a DST change', () => {
    expect(zoneOffsetMinutes(new Date('2026-03-29T00:59:00Z'), 'Europe/Berlin')).toBe(60)
    expect(zoneOffsetMinutes(new Date('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toBe(120)
  })

  it('finds the Monday of the week in the viewer’s zone, not in UTC', () => {
    // Sunday 23:30 UTC is already Monday in Tokyo.
    const instant = new Date('2026-06-14T23:30:00Z')
    expect(mondayOfWeek(instant, 'UTC')).toEqual({ year: 2026, month: 6, day: 8 })
    expect(mondayOfWeek(instant, 'Asia/Tokyo')).toEqual({ year: 2026, month: 6, day: 15 })
  })

  it('adds days across month and year ends', () => {
    expect(addDays({ year: 2026, month: 12, day: 30 }, 3)).toEqual({ year: 2027, month: 1, day: 2 })
    expect(weekdayIndex({ year: 2026, month: 6, day: 15 })).toBe(0)
  })
})

describe('formatting', () => {
  it('shows an instant in the profile zone with the zone named', () => {
    const text = formatDateTime('2026-07-01T07:30:00Z', 'Asia/Tokyo')
    expect(text).toContain('16:30')
    expect(text).toMatch(/GMT\+9|JST/)
  })

  it('formats a range on one day compactly, naming the zone once', () => {
    const text = formatRange('2026-12-02T03:00:00Z', '2026-12-02T09:30:00Z', 'Asia/Tokyo')
    expect(text).toMatch(/^Wed, 2 Dec 2026, 12:00–18:30 (GMT\+9|JST)$/)
    expect(formatRange('2026-12-02T03:00:00Z', '2026-12-03T09:30:00Z', 'Asia/Tokyo')).toContain(' – Thu')
  })

  it('formats a countdown and an overrun', () => {
    expect(formatClock(125)).toBe('2:05')
    expect(formatClock(-61)).toBe('−1:01')
  })

  it('formats a step budget as it is, not rounded to whole minutes', () => {
    expect(formatDuration(270)).toBe('4 min 30 s')
    expect(formatDuration(540)).toBe('9 min')
    expect(formatDuration(45)).toBe('45 s')
    expect(formatDuration(3900)).toBe('1 h 5 min')
    expect(formatDuration(3600)).toBe('1 h')
    expect(formatDuration(0)).toBe('0 s')
  })
})

describe('toLocalInput', () => {
  it('puts an instant on the wall clock of the profile zone, as the reschedule input reads it', () => {
    expect(toLocalInput('2030-03-05T18:00:00Z', 'Asia/Kolkata')).toBe('2030-03-05T23:30')
    expect(toLocalInput('2030-03-05T23:15:00Z', 'Europe/Berlin')).toBe('2030-03-06T00:15')
  })
})

describe('timeLeft', () => {
  const now = Date.parse('2026-06-01T12:00:00Z')
  it('says how long until a deadline in the unit that matters', () => {
    expect(timeLeft('2026-06-01T12:40:30Z', now)).toBe('in 40 min')
    expect(timeLeft('2026-06-02T11:00:00Z', now)).toBe('in 23 h')
    expect(timeLeft('2026-06-04T13:00:00Z', now)).toBe('in 3 days')
    expect(timeLeft('2026-06-01T11:00:00Z', now)).toBe('now')
  })
})
