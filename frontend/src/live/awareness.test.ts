import { describe, expect, it } from 'vitest'
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { guardAwareness, safeColor, safeName, safeState } from './awareness'

const HOSTILE = {
  user: {
    name: 'Mallory\u202e\u0000<b>',
    color: 'red;position:fixed;inset:0;z-index:99999;background:url(https://evil.example)',
    colorLight: '#fff;display:block',
    html: '<img src=x onerror=alert(1)>',
  },
  cursor: { anchor: { tname: 'step-1', item: null, type: null, assoc: 0 }, head: { tname: 'step-1', item: null, type: null, assoc: 0 } },
  pointer: { x: 'calc(1px)', y: 3 },
  overlay: true,
}

describe('safeState', () => {
  it('keeps only the known fields, with hex colours and printable bounded names', () => {
    const safe = safeState(HOSTILE) as { user: Record<string, unknown> }
    expect(safe.user).toEqual({ name: 'Mallory<b>', color: '#30bced', colorLight: '#30bced33' })
    expect(safe).not.toHaveProperty('overlay')
    expect(safe).not.toHaveProperty('pointer')
    expect(safe).toHaveProperty('cursor')
  })

  it('passes what the app itself sets unchanged', () => {
    const own = { user: { name: 'Ivy', role: 'interviewer', color: '#1f4fbf', colorLight: '#1f4fbf33' }, cursor: null, pointer: { x: 1, y: 2, tool: 'pointer' } }
    expect(safeState(own)).toEqual(own)
  })

  it('bounds names and colours', () => {
    expect(safeName('x'.repeat(500))).toHaveLength(80)
    expect(safeName('\u0007')).toBe('Someone')
    expect(safeColor('#12345')).toBe('#30bced')
    expect(safeColor('#A0b1C2')).toBe('#A0b1C2')
  })
})

describe('guardAwareness', () => {
  it('makes a remote state safe before later listeners (the editor, the board) see it', () => {
    const mine = new Awareness(new Y.Doc())
    const partner = new Awareness(new Y.Doc())
    const unguard = guardAwareness(mine)
    const seen: unknown[] = []
    mine.on('change', () => seen.push(mine.getStates().get(partner.clientID)))
    partner.setLocalState(HOSTILE)
    applyAwarenessUpdate(mine, encodeAwarenessUpdate(partner, [partner.clientID]), 'server')
    const user = (seen[0] as { user: { color: string; colorLight: string } }).user
    expect(user.color).toBe('#30bced')
    expect(user.colorLight).toBe('#30bced33')
    unguard()
  })
})
