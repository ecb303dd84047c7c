import { markdown } from '@codemirror/lang-markdown'
import { EditorState } from '@codemirror/state'
import { EditorView, placeholder as placeholderExt } from '@codemirror/view'
import { basicSetup } from 'codemirror'
import { useEffect, useRef } from 'react'
import { yCollab } from 'y-codemirror.next'
import type { Awareness } from 'y-protocols/awareness'
import * as Y from 'yjs'

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
