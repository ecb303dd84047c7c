// A past interview's notes and board, moment by moment. The API sends the timeline's events
// and, page by page, each document's changes between moments as Yjs updates: at every event,
// at frames between events (how the notes grew within a step, every few seconds while anyone
// wrote) and after the last event. The notes at a moment are the parts up to it applied in
// order. Texts are built for the moment on screen only, so a long session with big notes never
// holds a copy of every moment at once.
import * as Y from 'yjs'
import type { components } from '../api/schema'
import { BOARD, sortByIndex, type BoardElement } from '../live/board'
import { stepAt } from './playback'

export type ReplayPage = components['schemas']['ReplayOutput']
export type ReplayPart = components['schemas']['ReplayPartOutput']
export type ReplayEvent = components['schemas']['ReplayEventOutput']
export type ReplayScores = components['schemas']['ReplayScoresOutput']

export interface Replay {
  events: ReplayEvent[]
  /** In the order the API sent them: by time, each document's parts in order. */
  parts: ReplayPart[]
}

export interface Moment {
  /** The event's kind; `frame` between events, `latest` for the edits after the last one. */
  kind: string
  at: string
  /** The step the interview was on (for an event: the step it names, if any). */
  step: number | null
  label: string
  /** How many of the replay's parts make the notes at this moment (a prefix of them). */
  parts: number
}

export interface Frame extends Moment {
  sections: Record<string, string>
  /** The interviewer's private notes at that moment; only in the interviewer's replay. */
  private: Record<string, string> | null
  /** The diagram board's elements at that moment, in z-order, deleted ones left out. */
  board: BoardElement[]
}

/** A replay never needs more pages than this; a server answering more is not believed. */
export const MAX_PAGES = 1000

/** Fetch every page of a replay, following `next` until the last. */
export async function fetchReplay(get: (start: number) => Promise<ReplayPage>): Promise<Replay> {
  const parts: ReplayPart[] = []
  let events: ReplayEvent[] = []
  let start: number | null = 0
  for (let page = 0; start !== null && page < MAX_PAGES; page++) {
    const body: ReplayPage = await get(start)
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

const time = (at: string) => Date.parse(at)

/**
 * The moments to show, in time order: each event, the frames before it, and the latest notes
 * if anything was written after the last event.
 */
export function momentsOf(replay: Replay): Moment[] {
  const { events, parts } = replay
  const moments: Moment[] = []
  let next = 0
  let step: number | null = null
  events.forEach((event, index) => {
    // A frame is a part written before its event's time; the event's own parts come at it.
    while (next < parts.length && parts[next].moment <= index && time(parts[next].at) < time(event.at)) {
      const at = parts[next].at
      while (next < parts.length && parts[next].moment <= index && parts[next].at === at) next++
      moments.push({ kind: 'frame', at, step, label: step ? `Notes during step ${step}` : 'Notes', parts: next })
    }
    while (next < parts.length && parts[next].moment <= index) next++
    if (event.kind === 'step_entered' && event.step) step = event.step
    moments.push({ kind: event.kind, at: event.at, step: event.step ?? null, label: labelOf(event), parts: next })
  })
  if (next < parts.length) {
    moments.push({ kind: 'latest', at: parts[parts.length - 1].at, step: null, label: 'Latest', parts: parts.length })
  }
  return moments
}

/** The run of moments around `index` spent on one step: [first, last], or null between steps. */
export function stepRun(moments: readonly Moment[], index: number): [number, number] | null {
  const step = stepAt(moments, index)
  if (step === null || index < 0) return null
  let first = index
  while (first > 0 && stepAt(moments, first - 1) === step && moments[first].kind !== 'step_entered') first--
  let last = index
  while (last + 1 < moments.length && moments[last + 1].kind !== 'step_entered' && stepAt(moments, last + 1) === step) last++
  return [first, last]
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

/** Build the notes, the private notes and the board as they stood at one moment. */
export function frameAt(replay: Replay, index: number, names: readonly string[]): Frame {
  const moment = momentsOf(replay)[index] ?? { kind: '', at: '', step: null, label: '', parts: 0 }
  const notes = new Y.Doc()
  const mine = new Y.Doc()
  let hasPrivate = false
  for (const part of replay.parts.slice(0, moment.parts)) {
    const isPrivate = part.document === 'private'
    hasPrivate ||= isPrivate
    Y.applyUpdate(isPrivate ? mine : notes, decodeBase64(part.update))
  }
  const board = sortByIndex([...notes.getMap<BoardElement>(BOARD).values()].filter((element) => !element.isDeleted))
  const frame = {
    ...moment,
    sections: sectionsOf(notes, names),
    private: hasPrivate ? sectionsOf(mine, names) : null,
    board,
  }
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

/** How many board elements a summary names before it says "and N more". */
export const SUMMARY_ITEMS = 12

/** Say in words what is on the board (a static picture needs a text alternative). */
export function boardSummary(elements: readonly BoardElement[]): string {
  if (!elements.length) return 'The board is empty.'
  const names = elements.map((element) => {
    const text = typeof element.text === 'string' ? element.text.trim() : ''
    return text ? `“${text}”` : String(element.type ?? 'shape')
  })
  const listed = names.slice(0, SUMMARY_ITEMS).join(', ')
  const more = names.length > SUMMARY_ITEMS ? ` and ${names.length - SUMMARY_ITEMS} more` : ''
  return `${elements.length} ${elements.length === 1 ? 'element' : 'elements'}: ${listed}${more}.`
}
