import { useEffect, useMemo, useRef } from 'react'
import { renderMarkdown } from '../lib/markdown'

let mermaidLoader: Promise<typeof import('mermaid').default> | null = null
let diagramCounter = 0
const svgCache = new Map<string, string>()

function loadMermaid() {
  mermaidLoader ??= import('mermaid').then(({ default: mermaid }) => {
    mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'default' })
    return mermaid
  })
  return mermaidLoader
}

/** Markdown rendered live, with ```mermaid blocks drawn as diagrams. */
export function MarkdownView({ source, label }: { source: string; label: string }) {
  const html = useMemo(() => renderMarkdown(source), [source])
  const ref = useRef<HTMLDivElement>(null)

  useEffect(() => {
    const root = ref.current
    if (!root) return
    const blocks = [...root.querySelectorAll<HTMLPreElement>('pre.mermaid-source')]
    if (!blocks.length) return
    let cancelled = false
    void loadMermaid().then(async (mermaid) => {
      for (const block of blocks) {
        const code = block.textContent ?? ''
        let svg = svgCache.get(code)
        if (!svg) {
          try {
            svg = (await mermaid.render(`mermaid-${++diagramCounter}`, code)).svg
            svgCache.set(code, svg)
          } catch (error) {
            if (cancelled) return
            const message = document.createElement('p')
            message.className = 'diagram-error'
            message.textContent = `Diagram not drawn: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`
            block.after(message)
            continue
          }
        }
        if (cancelled) return
        const figure = document.createElement('figure')
        figure.className = 'mermaid-diagram'
        // mermaid's strict security level sanitises the SVG it produces.
        figure.innerHTML = svg
        block.replaceWith(figure)
      }
    })
    return () => {
      cancelled = true
    }
  }, [html])

  return (
    <div className="markdown" aria-label={label} ref={ref} dangerouslySetInnerHTML={{ __html: html }} />
  )
}
