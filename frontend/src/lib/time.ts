// Time-zone arithmetic with the browser's own Intl data: the API speaks UTC, people see and
// enter times in their profile's zone, and DST days have 23 or 25 hours.

export interface LocalDate {
  year: number
  month: number // 1-12
  day: number
}

export interface LocalDateTime extends LocalDate {
  hour: number
  minute: number
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>()

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = partsFormatters.get(timeZone)
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    partsFormatters.set(timeZone, formatter)
  }
  return formatter
}

/** The wall-clock reading of an instant in a zone. */
export function zonedParts(instant: Date, timeZone: string): LocalDateTime & { second: number } {
  const values: Record<string, number> = {}
  for (const part of partsFormatter(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') values[part.type] = Number(part.value)
  }
  return {
    year: values.year,
    month: values.month,
    day: values.day,
    hour: values.hour % 24,
    minute: values.minute,
    second: values.second,
  }
}

/** Minutes the zone is ahead of UTC at that instant (Berlin in summer: 120). */
export function zoneOffsetMinutes(instant: Date, timeZone: string): number {
  const p = zonedParts(instant, timeZone)
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second)
  const truncated = Math.floor(instant.getTime() / 1000) * 1000
  return Math.round((asUtc - truncated) / 60000)
}

/**
 * The instant at which a zone's clocks show the given wall time.
 *
 * A time skipped by a spring-forward gap maps to the instant just after the gap (02:30 on
 * a European spring day becomes 03:30 local); an ambiguous fall-back time maps to its first
 * occurrence. Both match what a calendar does.
 */
export function wallTimeToUtc(local: LocalDateTime, timeZone: string): Date {
  const naive = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute)
  const firstGuess = naive - zoneOffsetMinutes(new Date(naive), timeZone) * 60000
  const before = zoneOffsetMinutes(new Date(firstGuess - 3 * 3600000), timeZone)
  const after = zoneOffsetMinutes(new Date(firstGuess + 3 * 3600000), timeZone)
  const candidates = [naive - before * 60000, naive - after * 60000].sort((a, b) => a - b)
  for (const candidate of candidates) {
    const p = zonedParts(new Date(candidate), timeZone)
    if (
      p.year === local.year &&
      p.month === local.month &&
      p.day === local.day &&
      p.hour === local.hour &&
      p.minute === local.minute
    ) {
      return new Date(candidate)
    }
  }
  // In a gap no candidate reads back; the later offset is the one in force after the jump.
  return new Date(naive - Math.min(before, after) * 60000)
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days))
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }
}

/** 0 = Monday … 6 = Sunday. */
export function weekdayIndex(date: LocalDate): number {
  return (new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay() + 6) % 7
}

/** The Monday of the week that contains `instant`, as a date in the zone. */
export function mondayOfWeek(instant: Date, timeZone: string): LocalDate {
  const today = zonedParts(instant, timeZone)
  return addDays(today, -weekdayIndex(today))
}

export function isoDate(date: LocalDate): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.year}-${pad(date.month)}-${pad(date.day)}`
}

export function sameDate(a: LocalDate, b: LocalDate): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day
}

/** Format an instant in the zone, always naming the zone so nobody guesses. */
export function formatDateTime(
  value: string | Date,
  timeZone: string,
  options: { withZone?: boolean; withWeekday?: boolean } = {},
): string {
  const instant = typeof value === 'string' ? new Date(value) : value
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: options.withWeekday === false ? undefined : 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: options.withZone === false ? undefined : 'short',
  }).format(instant)
}

/** "Wed, 2 Dec 2026, 12:00–18:30 GMT+9", or both ends in full when the dates differ. */
export function formatRange(start: string | Date, end: string | Date, timeZone: string): string {
  const a = typeof start === 'string' ? new Date(start) : start
  const b = typeof end === 'string' ? new Date(end) : end
  const dayA = zonedParts(a, timeZone)
  const dayB = zonedParts(new Date(b.getTime() - 1), timeZone)
  if (sameDate(dayA, dayB)) {
    const endText = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    }).format(b)
    return `${formatDateTime(a, timeZone, { withZone: false })}–${endText}`
  }
  return `${formatDateTime(a, timeZone, { withZone: false })} – ${formatDateTime(b, timeZone)}`
}

export function formatTime(value: string | Date, timeZone: string): string {
  const instant = typeof value === 'string' ? new Date(value) : value
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(instant)
}

export function formatDay(date: LocalDate): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: 'UTC',
    weekday: 'short',
    day: 'numeric',
    month: 'short',
  }).format(new Date(Date.UTC(date.year, date.month - 1, date.day)))
}

/** "12:05" for a duration; negative durations (over budget) keep their sign. */
export function formatClock(totalSeconds: number): string {
  const sign = totalSeconds < 0 ? '−' : ''
  const seconds = Math.abs(Math.trunc(totalSeconds))
  const minutes = Math.floor(seconds / 60)
  return `${sign}${minutes}:${String(seconds % 60).padStart(2, '0')}`
}

/**
 * "4 min 30 s" / "1 h 5 min" / "45 s": a duration as it is, never rounded to whole minutes,
 * so a step budget reads the same in the room, the candidate's panel and the report.
 */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds))
  const hours = Math.floor(seconds / 3600)
  const minutes = Math.floor((seconds % 3600) / 60)
  const rest = seconds % 60
  const parts = [hours ? `${hours} h` : '', minutes ? `${minutes} min` : '', rest ? `${rest} s` : ''].filter(Boolean)
  return parts.length ? parts.join(' ') : '0 s'
}

/** The IANA zones this browser knows, with UTC first. */
export function timeZoneNames(): string[] {
  const zones =
    typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []
  return ['UTC', ...zones.filter((zone) => zone !== 'UTC')]
}

export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
}

/** The instant as a datetime-local input value on the wall clock of the zone. */
export function toLocalInput(value: string | Date, timeZone: string): string {
  const instant = typeof value === 'string' ? new Date(value) : value
  const parts = zonedParts(instant, timeZone)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${isoDate(parts)}T${pad(parts.hour)}:${pad(parts.minute)}`
}

/** "in 2 days" / "in 5 h" / "in 40 min" / "now": how long until a deadline, to the unit that matters. */
export function timeLeft(until: string | Date, now: number = Date.now()): string {
  const minutes = Math.floor((new Date(until).getTime() - now) / 60_000)
  if (minutes <= 0) return 'now'
  if (minutes < 60) return `in ${minutes} min`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `in ${hours} h`
  return `in ${Math.floor(hours / 24)} days`
}
