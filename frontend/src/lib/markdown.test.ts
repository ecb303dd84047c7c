import { describe, expect, it } from 'vitest'
import { mermaidSources, renderMarkdown } from './markdown'

describe('renderMarkdown', () => {
  it('renders headings, lists and emphasis', () => {
    const html = renderMarkdown('# Goals\n\n- **CTR** up\n- latency < 100 ms')
    expect(html).toContain('<h1>Goals</h1>')
    expect(html).toContain('<strong>CTR</strong>')
    expect(html).toContain('latency &lt; 100 ms')
  })

  it('never lets the other participant inject markup', () => {
    const html = renderMarkdown('<img src=x onerror="alert(1)"> <script>alert(2)</script> [x](javascript:alert(3))')
    expect(html).not.toMatch(/<img|<script|href="javascript/i)
    expect(html).toContain("&lt;img")
  })

  it('turns mermaid fences into placeholders and leaves other code alone', () => {
    const source = '```mermaid\ngraph LR\n  A-->B\n```\n\n```python\nprint(1)\n```'
    const html = renderMarkdown(source)
    expect(html).toContain('<pre class="mermaid-source">graph LR\n  A--&gt;B\n</pre>')
    expect(html).toContain('language-python')
    expect(mermaidSources(source)).toEqual(['graph LR\n  A-->B\n'])
  })

  it('opens links in a new tab without handing over the window', () => {
    expect(renderMarkdown('https://example.com')).toContain('rel="noopener noreferrer"')
  })
})
