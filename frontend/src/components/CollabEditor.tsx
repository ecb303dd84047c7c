import { markdown } from '@codemirror/lang-markdown'
import { EditorState } from '@codemirror/state'
import { EditorView, placeholder as placeholderExt } from '@codemirror/view'
import { basicSetup } from 'codemirror'
import { useEffect, useRef } from 'react'
import { yCollab } from 'y-codemirror.next'
import type { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'
import { collapseTypedMarker } from '../lib/listInput'

/** A marker typed on an auto-continued list line replaces the continued one ("- - " → "- "). */
const listMarkerInput = EditorView.inputHandler.of((view, from, to, text) => {
  if (text !== ' ' || from !== to) return false
  const line = view.state.doc.lineAt(from)
  if (to !== line.to) return false
  const kept = collapseTypedMarker(line.text.slice(0, from - line.from))
  if (kept === null) return false
  view.dispatch({
    changes: { from: line.from, to, insert: kept },
    selection: { anchor: line.from + kept.length },
    userEvent: 'input.type',
  })
  return true
})

/** A CodeMirror 6 Markdown editor bound to a shared Y.Text, with the other people's cursors. */
export function CollabEditor({
  text,
  awareness,
  label,
  placeholder,
  readOnly = false,
  className,
}: {
  text: Y.Text
  awareness: Awareness
  label: string
  placeholder?: string
  readOnly?: boolean
  className?: string
}) {
  const host = useRef<HTMLDivElement>(null)

  useEffect(() => {
    if (!host.current) return
    const undoManager = new Y.UndoManager(text)
    const view = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: text.toString(),
        extensions: [
          basicSetup,
          markdown(),
          listMarkerInput,
          EditorView.lineWrapping,
          EditorState.readOnly.of(readOnly),
          EditorView.editable.of(!readOnly),
          EditorView.contentAttributes.of({ 'aria-label': label, 'aria-multiline': 'true' }),
          placeholder ? placeholderExt(placeholder) : [],
          yCollab(text, awareness, { undoManager }),
        ],
      }),
    })
    return () => {
      view.destroy()
      undoManager.destroy()
    }
  }, [text, awareness, label, placeholder, readOnly])

  return <div className={`editor ${className ?? ''}`} ref={host} />
}
