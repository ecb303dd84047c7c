import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { BoardElement } from '../live/board'
import { boardSummary, fetchReplay, frameAt, momentsOf, stepRun, timeOnSteps } from './replay'
import type { Replay, ReplayPage, ReplayPart } from './replay'

const NAMES = ['step-1', 'step-2', 'scratch']

function encode(update: Uint8Array): string {
  return btoa(String.fromCharCode(...update))
}

const EVENTS: Replay['events'] = [
  { kind: 'started', step: null, at: '2026-06-01T10:00:00Z', role: null },
  { kind: 'step_entered', step: 1, at: '2026-06-01T10:00:00Z', role: null },
  { kind: 'step_entered', step: 2, at: '2026-06-01T10:05:00Z', role: null },
  { kind: 'ended', step: null, at: '2026-06-01T10:45:00Z', role: null },
]

/** Write to a document and return what it gained as one part, as the server sends it. */
function change(
  doc: Y.Doc,
  moment: number,
  document: 'notes' | 'private',
  edit: (doc: Y.Doc) => void,
  at = EVENTS[moment]?.at ?? '2026-06-01T10:50:00Z',
): ReplayPart {
  const before = Y.encodeStateVector(doc)
  edit(doc)
  return { moment, at, document, update: encode(Y.encodeStateAsUpdate(doc, before)) }
}

describe('the replay', () => {
  const notes = new Y.Doc()
  const mine = new Y.Doc()
  const parts = [
    change(notes, 2, 'notes', (d) => d.getText('step-1').insert(0, 'users, scale')),
    change(mine, 2, 'private', (d) => d.getText('step-1').insert(0, 'no scale')),
    change(notes, 3, 'notes', (d) => {
      d.getText('step-1').delete(0, 7)
      d.getText('step-2').insert(0, 'ranking')
    }),
  ]
  const replay: Replay = { events: EVENTS, parts }

  it('labels each event as a moment', () => {
    expect(momentsOf(replay).map((m) => m.label)).toEqual(['Started', 'Step 1', 'Step 2', 'Ended'])
  })

  it('names the recording events in words', () => {
    const recorded: Replay = {
      events: [
        { kind: 'recording_consented', step: null, at: '2026-06-01T10:01:00Z', role: null },
        { kind: 'recording_started', step: null, at: '2026-06-01T10:02:00Z', role: null },
        { kind: 'recording_stopped', step: null, at: '2026-06-01T10:03:00Z', role: null },
      ],
      parts: [],
    }
    expect(momentsOf(recorded).map((m) => m.label)).toEqual(['Agreed to record', 'Recording started', 'Recording stopped'])
  })

  it('says who joined, left and muted the call', () => {
    const called: Replay = {
      events: [
        { kind: 'call_joined', step: null, at: '2026-06-01T10:01:00Z', role: 'candidate' },
        { kind: 'call_muted', step: null, at: '2026-06-01T10:02:00Z', role: 'interviewer' },
        { kind: 'call_unmuted', step: null, at: '2026-06-01T10:02:30Z', role: 'interviewer' },
        { kind: 'call_left', step: null, at: '2026-06-01T10:03:00Z', role: null },
      ],
      parts: [],
    }
    expect(momentsOf(called).map((m) => m.label)).toEqual([
      'The candidate joined the call',
      'The interviewer muted',
      'The interviewer unmuted',
      'Someone left the call',
    ])
  })

  it('builds the notes of a moment from the changes up to it', () => {
    expect(frameAt(replay, 1, NAMES).sections).toEqual({ 'step-1': '', 'step-2': '', scratch: '' })
    expect(frameAt(replay, 2, NAMES).sections['step-1']).toBe('users, scale')
    const end = frameAt(replay, 3, NAMES)
    expect(end.sections).toEqual({ 'step-1': 'scale', 'step-2': 'ranking', scratch: '' })
    expect(end.label).toBe('Ended')
    expect(end.at).toBe('2026-06-01T10:45:00Z')
  })

  it("keeps the interviewer's private notes apart from the shared ones", () => {
    expect(frameAt(replay, 3, NAMES).private?.['step-1']).toBe('no scale')
    const candidates: Replay = { events: EVENTS, parts: parts.filter((p) => p.document === 'notes') }
    expect(frameAt(candidates, 3, NAMES).private).toBeNull()
  })

  it('adds a last moment for what was written after the last event', () => {
    const open = new Y.Doc()
    const later: Replay = {
      events: EVENTS.slice(0, 2),
      parts: [change(open, 2, 'notes', (d) => d.getText('scratch').insert(0, 'ideas'))],
    }
    expect(momentsOf(later).map((m) => m.label)).toEqual(['Started', 'Step 1', 'Latest'])
    expect(frameAt(later, 1, NAMES).sections.scratch).toBe('')
    expect(frameAt(later, 2, NAMES).sections.scratch).toBe('ideas')
  })

  it('fetches every page, following next', async () => {
    const asked: number[] = []
    const pages: ReplayPage[] = [
      { interview: 7, events: EVENTS, start: 0, parts: parts.slice(0, 2), next: 2 },
      { interview: 7, events: EVENTS, start: 2, parts: parts.slice(2), next: null },
    ]
    const fetched = await fetchReplay(async (start) => {
      asked.push(start)
      return pages[asked.length - 1]
    })
    expect(asked).toEqual([0, 2])
    expect(fetched.parts).toEqual(parts)
    expect(frameAt(fetched, 3, NAMES).sections['step-2']).toBe('ranking')
  })

  it('shows the frames between two events, and the step they fall in', () => {
    const doc = new Y.Doc()
    const grown: Replay = {
      events: EVENTS,
      parts: [
        change(doc, 2, 'notes', (d) => d.getText('step-1').insert(0, 'users'), '2026-06-01T10:00:30Z'),
        change(doc, 2, 'notes', (d) => d.getText('step-1').insert(5, ', scale'), '2026-06-01T10:02:10Z'),
        change(doc, 3, 'notes', (d) => d.getText('step-2').insert(0, 'ranking'), '2026-06-01T10:06:00Z'),
        change(doc, 3, 'notes', (d) => d.getText('step-2').insert(7, ' model')),
      ],
    }
    const moments = momentsOf(grown)
    expect(moments.map((m) => [m.kind, m.step, m.parts])).toEqual([
      ['started', null, 0],
      ['step_entered', 1, 0],
      ['frame', 1, 1],
      ['frame', 1, 2],
      ['step_entered', 2, 2],
      ['frame', 2, 3],
      ['ended', null, 4],
    ])
    expect(moments[2].label).toBe('Notes during step 1')
    expect(frameAt(grown, 2, NAMES).sections['step-1']).toBe('users')
    expect(frameAt(grown, 3, NAMES).sections['step-1']).toBe('users, scale')
    expect(frameAt(grown, 5, NAMES).sections['step-2']).toBe('ranking')
    expect(frameAt(grown, 6, NAMES).sections['step-2']).toBe('ranking model')
    // The run of moments spent on a step, for the scrubber within it.
    expect(stepRun(moments, 3)).toEqual([1, 3])
    expect(stepRun(moments, 5)).toEqual([4, 6])
    expect(stepRun(moments, 0)).toBeNull()
  })

  it('draws the board as it stood, without the deleted elements, in z-order', () => {
    const doc = new Y.Doc()
    const board = (d: Y.Doc) => d.getMap<BoardElement>('board')
    const drawn: Replay = {
      events: EVENTS,
      parts: [
        change(doc, 2, 'notes', (d) => {
          board(d).set('a', { id: 'a', type: 'rectangle', version: 1, versionNonce: 1, index: 'a1' })
          board(d).set('t', { id: 't', type: 'text', text: 'Ranker', version: 1, versionNonce: 1, index: 'a0' })
        }, '2026-06-01T10:01:00Z'),
        change(doc, 3, 'notes', (d) => {
          board(d).set('a', { id: 'a', type: 'rectangle', version: 2, versionNonce: 1, index: 'a1', isDeleted: true })
        }),
      ],
    }
    const early = frameAt(drawn, 2, NAMES).board
    expect(early.map((e) => e.id)).toEqual(['t', 'a'])
    expect(boardSummary(early)).toBe('2 elements: “Ranker”, rectangle.')
    expect(boardSummary(frameAt(drawn, 4, NAMES).board)).toBe('1 element: “Ranker”.')
    expect(boardSummary(frameAt(drawn, 0, NAMES).board)).toBe('The board is empty.')
  })

  it('names at most a dozen board elements', () => {
    const many = Array.from({ length: 15 }, (_, i) => ({ id: `e${i}`, type: 'ellipse', version: 1, versionNonce: 1 }))
    expect(boardSummary(many)).toMatch(/^15 elements: (ellipse, ){11}ellipse and 3 more\.$/)
  })

  it('shows nothing for an interview without events or notes', () => {
    expect(momentsOf({ events: [], parts: [] })).toEqual([])
  })
})

describe('the time on each step', () => {
  const at = (minutes: number, seconds = 0) => new Date(Date.UTC(2026, 5, 1, 10, minutes, seconds)).toISOString()

  it('runs from entering a step to the next step change or the end, over every visit', () => {
    const events: Replay['events'] = [
      { kind: 'started', step: null, at: at(0), role: null },
      { kind: 'step_entered', step: 1, at: at(0), role: null },
      { kind: 'step_entered', step: 2, at: at(4, 30), role: null },
      { kind: 'step_entered', step: 1, at: at(10), role: null },
      { kind: 'step_entered', step: 3, at: at(11, 15), role: null },
      { kind: 'ended', step: null, at: at(45), role: null },
    ]
    expect(timeOnSteps(events)).toEqual({ 1: 270 + 75, 2: 330, 3: 33 * 60 + 45 })
  })

  it('is not cut by recording or other events that happen during a step', () => {
    const events: Replay['events'] = [
      { kind: 'step_entered', step: 1, at: at(0), role: null },
      { kind: 'recording_started', step: null, at: at(1), role: null },
      { kind: 'call_joined', step: null, at: at(2), role: null },
      { kind: 'step_entered', step: 2, at: at(5), role: null },
    ]
    // Step 2 is still open: like the report, it counts nothing until it is left.
    expect(timeOnSteps(events)).toEqual({ 1: 300, 2: 0 })
  })

  it('is empty when no step was entered', () => {
    expect(timeOnSteps([{ kind: 'started', step: null, at: at(0), role: null }])).toEqual({})
  })
})
