import { describe, expect, it } from 'vitest'
import { cellOpen, coveredCells, perWeekHint, selectionToWindows, slotLabel } from './availability'

const MONDAY = { year: 2026, month: 6, day: 15 }

describe('selectionToWindows', () => {
  it('turns a drag over two days into one window per day in UTC', () => {
    // 18:00-20:00 in Berlin (UTC+2 in June) on Monday and Tuesday.
    const windows = selectionToWindows({ day: 0, slot: 36 }, { day: 1, slot: 39 }, MONDAY, 'Europe/Berlin')
    expect(windows).toEqual([
      { starts_at: '2026-06-15T16:00:00.000Z', ends_at: '2026-06-15T18:00:00.000Z' },
      { starts_at: '2026-06-16T16:00:00.000Z', ends_at: '2026-06-16T18:00:00.000Z' },
    ])
  })

  it('does not care which corner the drag started from', () => {
    const a = selectionToWindows({ day: 2, slot: 10 }, { day: 2, slot: 12 }, MONDAY, 'UTC')
    const b = selectionToWindows({ day: 2, slot: 12 }, { day: 2, slot: 10 }, MONDAY, 'UTC')
    expect(a).toEqual(b)
    expect(a).toEqual([{ starts_at: '2026-06-17T05:00:00.000Z', ends_at: '2026-06-17T06:30:00.000Z' }])
  })

  it('ends a window that reaches midnight at the next day’s midnight', () => {
    const [window] = selectionToWindows({ day: 6, slot: 46 }, { day: 6, slot: 47 }, MONDAY, 'Asia/Tokyo')
    expect(window).toEqual({ starts_at: '2026-06-21T14:00:00.000Z', ends_at: '2026-06-21T15:00:00.000Z' })
  })

  it('keeps wall-clock hours across a DST change within the week', () => {
    // Week of 23 March 2026 in Berlin: clocks go forward on Sunday 29 March.
    const monday = { year: 2026, month: 3, day: 23 }
    const windows = selectionToWindows({ day: 5, slot: 20 }, { day: 6, slot: 21 }, monday, 'Europe/Berlin')
    expect(windows.map((w) => w.starts_at)).toEqual(['2026-03-28T09:00:00.000Z', '2026-03-29T08:00:00.000Z'])
  })

  it('gives a window over the skipped hour its real, shorter length', () => {
    const monday = { year: 2026, month: 3, day: 23 }
    // 01:30-03:30 local on 29 March is only one real hour.
    const [window] = selectionToWindows({ day: 6, slot: 3 }, { day: 6, slot: 6 }, monday, 'Europe/Berlin')
    expect(Date.parse(window.ends_at) - Date.parse(window.starts_at)).toBe(60 * 60 * 1000)
  })
})

describe('coveredCells', () => {
  it('paints the cells a published window covers in the viewer’s zone', () => {
    const covered = coveredCells(
      [{ starts_at: '2026-06-15T16:00:00Z', ends_at: '2026-06-15T17:00:00Z' }],
      MONDAY,
      'Europe/Berlin',
    )
    expect([...covered].sort()).toEqual(['0:36', '0:37'])
  })

  it('shows the same window on another day for a viewer across the date line', () => {
    const covered = coveredCells(
      [{ starts_at: '2026-06-15T16:00:00Z', ends_at: '2026-06-15T16:30:00Z' }],
      MONDAY,
      'Pacific/Auckland',
    )
    expect([...covered]).toEqual(['1:8']) // Tuesday 04:00 in Auckland
  })

  it('labels slots as times of day', () => {
    expect(slotLabel(0)).toBe('00:00')
    expect(slotLabel(37)).toBe('18:30')
  })
})

describe('perWeekHint', () => {
  it('says the cap counts interviews over any 7 days', () => {
    expect(perWeekHint('candidate', 2)).toBe('Counts interviews in any 7 days in a row, every one you have, however it was booked.')
  })

  it('says how many swaps fit, a swap being two interviews', () => {
    expect(perWeekHint('swap', 2)).toContain('A swap is two interviews, so 2 fits 1 swap.')
    expect(perWeekHint('swap', 5)).toContain('so 5 fits 2 swaps.')
    expect(perWeekHint('swap', 1)).toContain('no room for a swap')
  })
})

describe('bookable cells', () => {
  const monday = { year: 2026, month: 6, day: 1 }
  const bookable = { from: new Date('2026-06-03T10:00:00Z'), to: new Date('2026-06-05T12:00:00Z') }
  it('closes the past and what lies past the horizon', () => {
    expect(cellOpen(monday, { day: 2, slot: 19 }, 'UTC', bookable)).toBe(false) // Wed 09:30
    expect(cellOpen(monday, { day: 2, slot: 20 }, 'UTC', bookable)).toBe(true) // Wed 10:00
    expect(cellOpen(monday, { day: 4, slot: 23 }, 'UTC', bookable)).toBe(true) // Fri 11:30
    expect(cellOpen(monday, { day: 4, slot: 24 }, 'UTC', bookable)).toBe(false) // Fri 12:00
  })
  it('leaves the closed cells out of a drag across them', () => {
    const windows = selectionToWindows({ day: 1, slot: 16 }, { day: 4, slot: 27 }, monday, 'UTC', bookable)
    expect(windows).toEqual([
      { starts_at: '2026-06-03T10:00:00.000Z', ends_at: '2026-06-03T14:00:00.000Z' },
      { starts_at: '2026-06-04T08:00:00.000Z', ends_at: '2026-06-04T14:00:00.000Z' },
      { starts_at: '2026-06-05T08:00:00.000Z', ends_at: '2026-06-05T12:00:00.000Z' },
    ])
  })
})
