// The diagram board as it stood at a moment of the replay: a static picture drawn by
// Excalidraw's own exporter (no editor, nothing to click), loaded only when a board exists.
import { useEffect, useRef, useState } from 'react'
import type { BoardElement } from '../live/board'

type Export = typeof import('@excalidraw/excalidraw')['exportToSvg']
type Elements = Parameters<Export>[0]['elements']

export default function ReplayBoard({ elements, label }: { elements: BoardElement[]; label: string }) {
  const holder = useRef<HTMLDivElement>(null)
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    let current = true
    if (!elements.length) {
      holder.current?.replaceChildren()
      return
    }
    import('@excalidraw/excalidraw')
      .then(({ exportToSvg }) =>
        exportToSvg({
          elements: elements as unknown as Elements,
          appState: { exportBackground: true, viewBackgroundColor: '#ffffff' },
          files: null,
          exportPadding: 16,
          // The fonts come from the site when shown; inlining them would subset each in wasm.
          skipInliningFonts: true,
        }),
      )
      .then((svg) => {
        // A later moment may have been drawn first: only the latest request is shown.
        if (!current || !holder.current) return
        svg.setAttribute('role', 'img')
        svg.setAttribute('aria-label', label)
        svg.setAttribute('focusable', 'false')
        holder.current.replaceChildren(svg)
        setFailed(false)
      })
      .catch(() => current && setFailed(true))
    return () => {
      current = false
    }
  }, [elements, label])
  return (
    <>
      <div className="replay-board" ref={holder} data-testid="replay-board-picture" />
      {failed && <p className="muted">The board could not be drawn here; its elements are listed below.</p>}
    </>
  )
}
