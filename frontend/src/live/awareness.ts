// What a partner's awareness state may put on this page. The server already refuses states
// outside this shape (interviews/live/awareness.py); this is the second line, so a hostile
// colour or name stays harmless even if a state got past the server: colours end up in
// style attributes (y-codemirror.next's carets and selections, the presence dots), names in
// text.
import type { Awareness } from 'y-protocols/awareness'

export const DEFAULT_COLOR = '#30bced'
const COLOR = /^#[0-9a-fA-F]{6}$/
const COLOR_WITH_ALPHA = /^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$/
// Control, format (bidirectional overrides), surrogate, private-use and unassigned characters,
// and line or paragraph separators.
const UNPRINTABLE = /[\p{C}\u2028\u2029]/gu
const NAME_CHARS = 80

export function safeColor(value: unknown, fallback = DEFAULT_COLOR): string {
  return typeof value === 'string' && COLOR.test(value) ? value : fallback
}

export function safeName(value: unknown, fallback = 'Someone'): string {
  if (typeof value !== 'string') return fallback
  const clean = value.replace(UNPRINTABLE, '').slice(0, NAME_CHARS).trim()
  return clean || fallback
}

function finite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

export interface SafeUser {
  name: string
  role?: string
  color: string
  colorLight: string
}

/** Rebuild a remote state from the fields the app knows, each made safe to render. */
export function safeState(state: unknown): Record<string, unknown> {
  const raw = (state && typeof state === 'object' ? state : {}) as Record<string, unknown>
  const safe: Record<string, unknown> = {}
  if (raw.user && typeof raw.user === 'object') {
    const user = raw.user as Record<string, unknown>
    const color = safeColor(user.color)
    const light =
      typeof user.colorLight === 'string' && COLOR_WITH_ALPHA.test(user.colorLight) ? user.colorLight : `${color}33`
    const clean: SafeUser = { name: safeName(user.name), color, colorLight: light }
    if (user.role !== undefined) clean.role = safeName(user.role, 'guest').slice(0, 32)
    safe.user = clean
  }
  if (raw.cursor && typeof raw.cursor === 'object') {
    const cursor = raw.cursor as Record<string, unknown>
    if (cursor.anchor && typeof cursor.anchor === 'object' && cursor.head && typeof cursor.head === 'object') {
      safe.cursor = { anchor: cursor.anchor, head: cursor.head }
    }
  } else if (raw.cursor === null) {
    safe.cursor = null
  }
  if (raw.pointer && typeof raw.pointer === 'object') {
    const pointer = raw.pointer as Record<string, unknown>
    if (finite(pointer.x) && finite(pointer.y)) {
      safe.pointer = { x: pointer.x, y: pointer.y, tool: pointer.tool === 'laser' ? 'laser' : 'pointer' }
    }
  }
  return safe
}

/**
 * Replace every remote state with its safe form as it arrives, before anything renders it.
 * Call this right after creating the provider: listeners run in the order they were added,
 * so the editor's and the board's listeners only ever see safe states.
 */
export function guardAwareness(awareness: Awareness): () => void {
  const onChange = ({ added, updated }: { added: number[]; updated: number[] }) => {
    for (const clientId of [...added, ...updated]) {
      if (clientId === awareness.clientID) continue
      const state = awareness.states.get(clientId)
      if (state !== undefined) awareness.states.set(clientId, safeState(state))
    }
  }
  awareness.on('change', onChange)
  return () => awareness.off('change', onChange)
}
