import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import { buildFrames } from './replay'

const NAMES = ['step-1', 'step-2', 'scratch']

describe('buildFrames', () => {
  it('reads frames that carry the notes as text', () => {
    const frames = buildFrames(
      {
        timeline: [
          { kind: 'step_entered', step: 1, at: '2026-06-01T10:00:00Z', notes: { 'step-1': '' } },
          { kind: 'step_entered', step: 2, at: '2026-06-01T10:05:00Z', notes: { 'step-1': 'users, scale' } },
        ],
      },
      NAMES,
    )
    expect(frames.map((f) => f.label)).toEqual(['Step 1', 'Step 2'])
    expect(frames[1].sections['step-1']).toBe('users, scale')
    expect(frames[1].private).toBeNull()
  })

  it("keeps the interviewer's private notes of each moment apart from the shared ones", () => {
    const frames = buildFrames(
      {
        timeline: [
          { kind: 'started', step: null, at: 't0', notes: { 'step-1': '' }, private: { 'step-1': '' } },
          { kind: 'ended', step: null, at: 't1', notes: { 'step-1': 'users' }, private: { 'step-1': 'no scale' } },
        ],
      },
      NAMES,
    )
    expect(frames.map((f) => f.private?.['step-1'])).toEqual(['', 'no scale'])
    expect(frames[1].sections['step-1']).toBe('users')
  })

  it('replays a stream of Yjs updates cumulatively', () => {
    const source = new Y.Doc()
    const updates: string[] = []
    source.on('update', (u: Uint8Array) => updates.push(btoa(String.fromCharCode(...u))))
    source.getText('step-1').insert(0, 'hello')
    source.getText('step-2').insert(0, 'world')
    const frames = buildFrames({ updates: updates.map((update, i) => ({ update, at: `t${i}`, step: i + 1 })) }, NAMES)
    expect(frames.map((f) => f.sections)).toEqual([
      { 'step-1': 'hello', 'step-2': '', scratch: '' },
      { 'step-1': 'hello', 'step-2': 'world', scratch: '' },
    ])
  })

  it('returns nothing for a body it does not understand', () => {
    expect(buildFrames({ nope: 1 }, NAMES)).toEqual([])
  })
})
