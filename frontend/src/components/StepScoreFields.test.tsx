import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { useState } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import type { RubricSection, StepScoreInput } from '../api/types'
import { StepScoreFields } from './StepScoreFields'

const SECTION: RubricSection = {
  key: 'requirements',
  step: 1,
  title: 'Clarifying requirements',
  weight: 1,
  bars: {},
  criteria: [
    {
      key: 'scope',
      title: 'Scope',
      levels: { '1': 'Jumps to a model.', '2': 'Asks one question.', '3': 'Covers the main needs.', '4': 'Pins down scale and limits.' },
    },
  ],
}

function Harness({ initial, readOnly = false }: { initial: Partial<StepScoreInput>; readOnly?: boolean }) {
  const [row, setRow] = useState<StepScoreInput>({ step: 1, score: null, not_reached: false, evidence: '', ...initial })
  return (
    <StepScoreFields
      section={SECTION}
      row={row}
      index={0}
      onChange={(patch) => setRow((current) => ({ ...current, ...patch }))}
      pitfalls={[]}
      checkedPitfalls={[]}
      onPitfall={() => undefined}
      readOnly={readOnly}
    />
  )
}

const shown = (text: string) => screen.queryAllByText(text).length > 0

describe('StepScoreFields', () => {
  afterEach(cleanup)

  it('spells out every level while the step is unscored', () => {
    render(<Harness initial={{}} />)
    for (const text of ['Jumps to a model.', 'Asks one question.', 'Covers the main needs.', 'Pins down scale and limits.']) {
      expect(shown(text)).toBe(true)
    }
    expect(screen.queryByRole('button', { name: /show all levels/i })).toBeNull()
  })

  it('keeps only the chosen level once scored, and keeps focus on the chosen radio', () => {
    render(<Harness initial={{}} />)
    const three = screen.getAllByRole('radio')[2]
    three.focus()
    fireEvent.click(three)
    expect(shown('Covers the main needs.')).toBe(true)
    expect(shown('Jumps to a model.')).toBe(false)
    expect(document.activeElement).toBe(three)
    expect(three.getAttribute('aria-describedby')).toBeTruthy()
    expect(document.getElementById(three.getAttribute('aria-describedby')!)?.textContent).toContain('Covers the main needs.')
  })

  it('shows all levels again on request, and says whether they are expanded', () => {
    render(<Harness initial={{ score: 2 }} />)
    const toggle = screen.getByRole('button', { name: 'Show all levels for step 1' })
    expect(toggle.getAttribute('aria-expanded')).toBe('false')
    fireEvent.click(toggle)
    expect(shown('Pins down scale and limits.')).toBe(true)
    const hide = screen.getByRole('button', { name: 'Show only level 2 for step 1' })
    expect(hide.getAttribute('aria-expanded')).toBe('true')
    fireEvent.click(hide)
    expect(shown('Pins down scale and limits.')).toBe(false)
  })

  it('collapses a step marked as not reached', () => {
    render(<Harness initial={{ not_reached: true }} />)
    expect(shown('Covers the main needs.')).toBe(false)
    expect(screen.getByRole('button', { name: 'Show all levels for step 1' })).toBeTruthy()
  })

  it('lets a submitted card be read in full while its inputs stay locked', () => {
    render(<Harness initial={{ score: 4 }} readOnly />)
    expect(screen.getAllByRole('radio').every((radio) => (radio as HTMLInputElement).disabled)).toBe(true)
    const toggle = screen.getByRole('button', { name: 'Show all levels for step 1' }) as HTMLButtonElement
    expect(toggle.disabled).toBe(false)
    fireEvent.click(toggle)
    expect(shown('Jumps to a model.')).toBe(true)
  })
})
