import DOMPurify from 'dompurify'
import MarkdownIt from 'markdown-it'

// Raw HTML is off: notes are typed by the other participant, so they are untrusted input.
const md = new MarkdownIt({ html: false, linkify: true, breaks: true })

const defaultFence = md.renderer.rules.fence!
md.renderer.rules.fence = (tokens, idx, options, env, self) => {
  const token = tokens[idx]
  if (token.info.trim().toLowerCase() === 'mermaid') {
    // A placeholder the view swaps for the rendered SVG; the source stays readable meanwhile.
    return `<pre class="mermaid-source">${md.utils.escapeHtml(token.content)}</pre>\n`
  }
  return defaultFence(tokens, idx, options, env, self)
}

const defaultLinkOpen =
  md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options))
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx].attrSet('target', '_blank')
  tokens[idx].attrSet('rel', 'noopener noreferrer')
  return defaultLinkOpen(tokens, idx, options, env, self)
}

/** Markdown to sanitised HTML, with ```mermaid blocks left as placeholders. */
export function renderMarkdown(source: string): string {
  return DOMPurify.sanitize(md.render(source), { ADD_ATTR: ['target'] })
}

/** The mermaid sources of a text, in order (used to tell whether diagrams must be redrawn). */
export function mermaidSources(source: string): string[] {
  return md
    .parse(source, {})
    .filter((token) => token.type === 'fence' && token.info.trim().toLowerCase() === 'mermaid')
    .map((token) => token.content)
}
