// The availability week grid: 30-minute cells on the wall clock of the profile's zone, turned
// into UTC windows for the API (and back, to paint what is already published).
import { addDays, wallTimeToUtc, type LocalDate } from './time'

export const SLOT_MINUTES = 30
export const SLOTS_PER_DAY = (24 * 60) / SLOT_MINUTES

export interface Cell {
  day: number // 0 = Monday of the shown week
  slot: number // 0 = 00:00-00:30
}

export interface Window {
  starts_at: string
  ends_at: string
}

function slotWallTime(monday: LocalDate, day: number, slot: number) {
  const date = addDays(monday, day + Math.floor(slot / SLOTS_PER_DAY))
  const minutes = (slot % SLOTS_PER_DAY) * SLOT_MINUTES
  return { ...date, hour: Math.floor(minutes / 60), minute: minutes % 60 }
}

/** The UTC instant at which a cell starts (slot SLOTS_PER_DAY = the next midnight). */
export function cellStart(monday: LocalDate, day: number, slot: number, timeZone: string): Date {
  return wallTimeToUtc(slotWallTime(monday, day, slot), timeZone)
}

/** The time a window may cover: from now until the scheduling horizon (the server's own rule). */
export interface Bookable {
  from: Date
  to: Date
}

/** Whether a cell can take availability: it starts after now and ends by the horizon. */
export function cellOpen(monday: LocalDate, cell: Cell, timeZone: string, bookable: Bookable): boolean {
  return cellStart(monday, cell.day, cell.slot, timeZone) >= bookable.from && cellStart(monday, cell.day, cell.slot + 1, timeZone) <= bookable.to
}

/**
 * A dragged rectangle → one window per day it spans, the same wall-clock hours on each day,
 * leaving out the cells before now or past the horizon that the drag crossed.
 */
export function selectionToWindows(anchor: Cell, current: Cell, monday: LocalDate, timeZone: string, bookable?: Bookable): Window[] {
  const [firstDay, lastDay] = [Math.min(anchor.day, current.day), Math.max(anchor.day, current.day)]
  const [firstSlot, lastSlot] = [Math.min(anchor.slot, current.slot), Math.max(anchor.slot, current.slot)]
  const open = (day: number, slot: number) => !bookable || cellOpen(monday, { day, slot }, timeZone, bookable)
  const windows: Window[] = []
  for (let day = firstDay; day <= lastDay; day++) {
    // Closed cells sit at the ends of a day's range (the past before, the horizon after).
    let from = firstSlot
    let to = lastSlot
    while (from <= to && !open(day, from)) from++
    while (to >= from && !open(day, to)) to--
    if (from > to) continue
    const start = cellStart(monday, day, from, timeZone)
    const end = cellStart(monday, day, to + 1, timeZone)
    // On a spring-forward day two wall times can map to one instant: skip empty windows.
    if (end > start) windows.push({ starts_at: start.toISOString(), ends_at: end.toISOString() })
  }
  return windows
}

export function inSelection(cell: Cell, anchor: Cell | null, current: Cell | null): boolean {
  if (!anchor || !current) return false
  return (
    cell.day >= Math.min(anchor.day, current.day) &&
    cell.day <= Math.max(anchor.day, current.day) &&
    cell.slot >= Math.min(anchor.slot, current.slot) &&
    cell.slot <= Math.max(anchor.slot, current.slot)
  )
}

/** Cells of the week covered by published windows, as "day:slot" keys. */
export function coveredCells(windows: readonly Window[], monday: LocalDate, timeZone: string): Set<string> {
  const covered = new Set<string>()
  const spans = windows.map((w) => [Date.parse(w.starts_at), Date.parse(w.ends_at)] as const)
  if (!spans.length) return covered
  for (let day = 0; day < 7; day++) {
    for (let slot = 0; slot < SLOTS_PER_DAY; slot++) {
      const start = cellStart(monday, day, slot, timeZone).getTime()
      const end = cellStart(monday, day, slot + 1, timeZone).getTime()
      if (end <= start) continue
      if (spans.some(([s, e]) => s <= start && end <= e)) covered.add(`${day}:${slot}`)
    }
  }
  return covered
}

export function slotLabel(slot: number): string {
  const minutes = slot * SLOT_MINUTES
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`
}

/** What the request's weekly cap counts, in words: interviews in any 7 days, a swap is two. */
export function perWeekHint(role: string, perWeek: number): string {
  const base = 'Counts interviews in any 7 days in a row, every one you have, however it was booked.'
  if (role !== 'swap') return base
  const swaps = Math.floor(perWeek / 2)
  const fit = swaps === 0 ? 'so 1 leaves no room for a swap: it can only become single interviews' : `so ${perWeek} fits ${swaps} swap${swaps === 1 ? '' : 's'}`
  return `${base} A swap is two interviews, ${fit}.`
}
