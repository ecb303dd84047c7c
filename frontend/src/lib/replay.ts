// A past interview's notes, step by step. The API sends the timeline's events and, page by
// page, each document's changes between them as Yjs updates: the notes at moment i are the
// parts up to moment i applied in order. Texts are built for the moment on screen only, so a
// long session with big notes never holds a copy of every moment at once.
import * as Y from 'yjs'
import type { components } from '../api/schema'

export type ReplayPage = components['schemas']['ReplayOutput']
export type ReplayPart = components['schemas']['ReplayPartOutput']
export type ReplayEvent = components['schemas']['ReplayEventOutput']

export interface Replay {
  events: ReplayEvent[]
  /** In the order the API sent them: by moment, each document's parts in order. */
  parts: ReplayPart[]
}

export interface Moment {
  at: string | null
  step: number | null
  label: string
}

export interface Frame extends Moment {
  sections: Record<string, string>
  /** The interviewer's private notes at that moment; only in the interviewer's replay. */
  private: Record<string, string> | null
}

/** A replay never needs more pages than this; a server answering more is not believed. */
export const MAX_PAGES = 1000

/** Fetch every page of a replay, following `next` until the last. */
export async function fetchReplay(get: (path: string) => Promise<ReplayPage>, id: number): Promise<Replay> {
  const parts: ReplayPart[] = []
  let events: ReplayEvent[] = []
  let start: number | null = 0
  for (let page = 0; start !== null && page < MAX_PAGES; page++) {
    const body: ReplayPage = await get(`/api/interviews/${id}/replay/?start=${start}`)
    events = body.events
    parts.push(...body.parts)
    start = body.next
  }
  return { events, parts }
}

const EVENT_LABELS: Record<string, string> = {
  started: 'Started',
  ended: 'Ended',
  recording_consented: 'Agreed to record',
  recording_withdrawn: 'Withdrew recording consent',
  recording_started: 'Recording started',
  recording_stopped: 'Recording stopped',
  call_joined: 'joined the call',
  call_left: 'left the call',
  call_muted: 'muted',
  call_unmuted: 'unmuted',
}

const WHO: Record<string, string> = { interviewer: 'The interviewer', candidate: 'The candidate' }

function labelOf(event: ReplayEvent): string {
  const label = EVENT_LABELS[event.kind]
  if (!label) return event.step ? `Step ${event.step}` : event.kind
  if (!event.kind.startsWith('call_')) return label
  return `${(event.role && WHO[event.role]) || 'Someone'} ${label}`
}

/** The moments to show: each event, and the latest notes if anything was written after the last. */
export function momentsOf(replay: Replay): Moment[] {
  const moments: Moment[] = replay.events.map((event) => ({ at: event.at, step: event.step, label: labelOf(event) }))
  if (replay.parts.some((part) => part.moment >= replay.events.length)) {
    moments.push({ at: null, step: null, label: 'Latest' })
  }
  return moments
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

function sectionsOf(doc: Y.Doc, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, doc.getText(name).toString()]))
}

/** Build the notes (and private notes) as they stood at one moment. */
export function frameAt(replay: Replay, index: number, names: readonly string[]): Frame {
  const moment = momentsOf(replay)[index] ?? { at: null, step: null, label: '' }
  const notes = new Y.Doc()
  const mine = new Y.Doc()
  let hasPrivate = false
  for (const part of replay.parts) {
    if (part.moment > index) continue
    const isPrivate = part.document === 'private'
    hasPrivate ||= isPrivate
    Y.applyUpdate(isPrivate ? mine : notes, decodeBase64(part.update))
  }
  const frame = { ...moment, sections: sectionsOf(notes, names), private: hasPrivate ? sectionsOf(mine, names) : null }
  notes.destroy()
  mine.destroy()
  return frame
}

// The events that delimit time on a step; the others (recording, the call) happen during one.
const SESSION_KINDS = new Set(['started', 'step_entered', 'ended'])

/**
 * Seconds spent on each step (by step number): from entering it to the next step change or the
 * end, summed over every visit, as the report counts it. A step still open counts 0 until then.
 */
export function timeOnSteps(events: ReplayEvent[]): Record<number, number> {
  const session = events.filter((event) => SESSION_KINDS.has(event.kind))
  const spent: Record<number, number> = {}
  session.forEach((event, index) => {
    if (event.kind !== 'step_entered' || event.step === null || event.step === undefined) return
    const next = session[index + 1]
    const seconds = next ? Math.max(0, Math.trunc((Date.parse(next.at) - Date.parse(event.at)) / 1000)) : 0
    spent[event.step] = (spent[event.step] ?? 0) + seconds
  })
  return spent
}
