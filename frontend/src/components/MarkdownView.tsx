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
          // Parse first: render() leaves an error graphic in the page for invalid input, and
          // half-typed diagrams are invalid most of the time.
          const id = `mermaid-${++diagramCounter}`
          let problem: string | null = null
          try {
            if (await mermaid.parse(code, { suppressErrors: true })) svg = (await mermaid.render(id, code)).svg
            else problem = 'the diagram has a syntax error (still typing?)'
          } catch (error) {
            problem = error instanceof Error ? error.message.split('\n')[0] : String(error)
          } finally {
            document.getElementById(`d${id}`)?.remove()
          }
          if (cancelled) return
          if (!svg) {
            const message = document.createElement('p')
            message.className = 'diagram-error'
            message.textContent = `Diagram not drawn: ${problem}`
            block.after(message)
            continue
          }
          svgCache.set(code, svg)
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
    <div className="markdown" role="region" aria-label={label} ref={ref} dangerouslySetInnerHTML={{ __html: html }} />
  )
}
