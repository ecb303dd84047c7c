import { describe, expect, it } from 'vitest'
import { draftFromScorecard, emptyDraft, humanize, missingForSubmit, togglePitfall, withStep } from './scorecard'
import type { Scorecard } from './types'

const STEPS = [1, 2, 3, 4, 5, 6, 7]

describe('scorecard drafts', () => {
  it('starts with every step unscored', () => {
    const draft = emptyDraft(1, STEPS)
    expect(draft.steps.map((s) => s.step)).toEqual(STEPS)
    expect(missingForSubmit(draft)).toEqual(['Score or mark as not reached: step 1, 2, 3, 4, 5, 6, 7.', 'Choose a recommendation.'])
  })

  it('clears the score of a step marked as not reached, and the mark when scored again', () => {
    let draft = withStep(emptyDraft(1, STEPS), 7, { score: 3 })
    draft = withStep(draft, 7, { not_reached: true })
    expect(draft.steps[6]).toMatchObject({ score: null, not_reached: true })
    draft = withStep(draft, 7, { score: 2 })
    expect(draft.steps[6]).toMatchObject({ score: 2, not_reached: false })
  })

  it('is ready to submit once every step is scored or not reached and a recommendation is chosen', () => {
    let draft = emptyDraft(1, STEPS)
    for (const step of STEPS) draft = withStep(draft, step, step === 7 ? { not_reached: true } : { score: 3 })
    draft = { ...draft, recommendation: 'lean_hire' }
    expect(missingForSubmit(draft)).toEqual([])
  })

  it('toggles pitfalls without duplicates', () => {
    let draft = togglePitfall(emptyDraft(1, STEPS), 'ignores_monitoring', true)
    draft = togglePitfall(draft, 'ignores_monitoring', true)
    expect(draft.pitfalls).toEqual(['ignores_monitoring'])
    expect(togglePitfall(draft, 'ignores_monitoring', false).pitfalls).toEqual([])
  })

  it('rebuilds the draft from a saved scorecard, filling steps it lacks', () => {
    const saved = {
      rubric_version: 2,
      steps: [{ step: 3, title: 'Data', score: 2, not_reached: false, evidence: 'no labels', moments: [] }],
      pitfalls: ['ignores_data_pipeline'],
      recommendation: 'no_hire',
      pass_level: null,
      communication_score: 3,
      summary: 'ok',
    } as unknown as Scorecard
    const draft = draftFromScorecard(saved, STEPS)
    expect(draft.rubric_version).toBe(2)
    expect(draft.steps[2]).toMatchObject({ step: 3, score: 2, evidence: 'no labels' })
    expect(draft.steps[0]).toMatchObject({ step: 1, score: null })
    expect(draft.communication_score).toBe(3)
  })

  it('reads enumeration values as words', () => {
    expect(humanize('strong_no_hire')).toBe('Strong no hire')
  })
})
