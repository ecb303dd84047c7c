// A past interview's notes, step by step: frames of the document as it stood at each step
// change (or a stream of Yjs updates, replayed here), whichever the API sends.
import * as Y from 'yjs'

type Json = Record<string, unknown>

export interface Frame {
  at: string | null
  step: number | null
  label: string
  sections: Record<string, string>
  /** The interviewer's private notes at that moment; only in the interviewer's replay. */
  private: Record<string, string> | null
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

function textsFrom(value: unknown): Record<string, string> | null {
  if (!value || typeof value !== 'object') return null
  const out: Record<string, string> = {}
  for (const [key, text] of Object.entries(value as Json)) if (typeof text === 'string') out[key] = text
  return out
}

export function buildFrames(body: unknown, sectionNames: readonly string[]): Frame[] {
  const root = (body && typeof body === 'object' ? body : {}) as Json
  const rows = (['frames', 'timeline', 'events', 'updates'] as const)
    .map((key) => root[key])
    .find(Array.isArray) as Json[] | undefined
  if (!rows) return []
  const doc = new Y.Doc()
  const frames: Frame[] = []
  for (const row of rows) {
    if (!row || typeof row !== 'object') continue
    const update = typeof row.update === 'string' ? row.update : null
    if (update) Y.applyUpdate(doc, decodeBase64(update))
    const texts = textsFrom(row.notes) ?? textsFrom(row.sections) ?? textsFrom(row.texts) ?? textsFrom(row.document)
    const step = typeof row.step === 'number' ? row.step : null
    const kind = typeof row.kind === 'string' ? row.kind : null
    frames.push({
      at: typeof row.at === 'string' ? row.at : null,
      step,
      label: kind === 'started' ? 'Started' : kind === 'ended' ? 'Ended' : step ? `Step ${step}` : (kind ?? 'Update'),
      sections: texts ?? sectionsOf(doc, sectionNames),
      private: textsFrom(row.private),
    })
  }
  doc.destroy()
  return frames
}
