import { cleanup, render, screen } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { describeWeakest } from '../lib/report'
import { WeakestStep } from './WeakestStep'

const STEPS = [
  { step: 3, title: 'Data preparation', p_weakest: 0.81 },
  { step: 5, title: 'Evaluation', p_weakest: 0.14 },
  { step: 7, title: 'Monitoring and infrastructure', p_weakest: 0.05 },
]

afterEach(cleanup)

describe('WeakestStep', () => {
  it('states the weakest step with its probability and what weakest means', () => {
    const weakest = describeWeakest({ meaning: 'lowest_skill', step: 3, probability: 0.81, threshold: 0.65, more_interviews: 0 }, STEPS)
    render(<WeakestStep weakest={weakest} />)
    expect(screen.getByTestId('weakest').textContent).toBe('Data preparation is your weakest step (about 8 in 10 likely).')
    expect(screen.getByTestId('weakest-meaning').textContent).toMatch(/lowest skill of the seven steps, whatever the bar/)
    const list = screen.getByRole('list', { name: 'How likely each step is your weakest' })
    expect(list.textContent).toContain('3. Data preparation: about 8 in 10 (81%)')
    expect(list.textContent).toContain('5. Evaluation: about 1 in 10 (14%)')
    expect(list.textContent).not.toContain('Monitoring')
  })

  it('says not enough evidence yet instead of naming a step', () => {
    const weakest = describeWeakest({ meaning: 'lowest_skill', step: null, probability: 0.5, threshold: 0.65, more_interviews: 3 }, [
      { step: 3, title: 'Data preparation', p_weakest: 0.5 },
      { step: 5, title: 'Evaluation', p_weakest: 0.4 },
    ])
    render(<WeakestStep weakest={weakest} />)
    const sentence = screen.getByTestId('weakest').textContent ?? ''
    expect(sentence).toMatch(/^Not enough evidence yet to name your weakest step\./)
    expect(sentence).toContain('About 3 more interviews like the ones so far would settle it.')
    expect(sentence).not.toMatch(/is your weakest step/)
  })
})
