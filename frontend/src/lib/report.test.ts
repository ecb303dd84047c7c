import { describe, expect, it } from 'vitest'
import { shapeHistory, shapeReport, type Report } from './report'

function step(n: number, overrides: Record<string, unknown> = {}) {
  return {
    step: n,
    title: `Step ${n}`,
    estimate: 2.5,
    lower: 2.0,
    upper: 3.0,
    raw_mean: null,
    n_ratings: 1,
    n_not_reached: 0,
    bar: 3,
    gap: -0.5,
    verdict: 'not_enough_data',
    percentile: null,
    trend: { direction: 'not_enough_data', slope_per_30_days: null, lower: null, upper: null },
    time: { interviews_reached: 1, mean_seconds: 120, budget_seconds: 270, ratio: 0.44 },
    evidence: [],
    ...overrides,
  }
}

function report(overrides: Partial<Report> = {}): Report {
  return {
    user_id: 1,
    computed_at: '2026-06-01T10:00:00Z',
    kind: 'incremental',
    target_level: 'senior',
    enough_data: false,
    min_ratings: 3,
    based_on: { scorecards: 1, ratings: 3, raters: 1, latest_scorecard_at: null, model_fit_id: null, model_fitted_at: null },
    steps: [1, 2, 3, 4, 5, 6, 7].map((n) => step(n)),
    weakest_steps: [],
    time_management: { interviews: 1, rushed_steps: [1], over_budget_steps: [], often_not_reached: [6, 7] },
    pitfalls: [],
    recommended_questions: [],
    ...overrides,
  } as unknown as Report
}

describe('shapeReport', () => {
  it('keeps "not enough data" as a state of its own', () => {
    const view = shapeReport(report())
    expect(view.steps).toHaveLength(7)
    expect(view.steps.every((s) => !s.enoughData)).toBe(true)
    expect(view.basedOn).toBe('1 scorecard from 1 interviewer')
  })

  it('names the weakest steps in the API’s order', () => {
    const steps = [1, 2, 3, 4, 5, 6, 7].map((n) => step(n, { verdict: n === 3 ? 'below_bar' : 'near_bar' }))
    const view = shapeReport(report({ steps, weakest_steps: [3, 5] } as Partial<Report>))
    expect(view.weakest.map((s) => [s.step, s.enoughData])).toEqual([
      [3, true],
      [5, true],
    ])
  })

  it('turns time management into minutes and sentences', () => {
    const view = shapeReport(report())
    expect(view.time[0]).toEqual({ step: 1, name: 'Step 1', spentMinutes: 2, budgetMinutes: 4.5 })
    expect(view.timeNotes).toEqual(['Rushed: step 1.', 'Often not reached before the clock ran out: step 6, step 7.'])
  })

  it('collects evidence quotes per step and explains recommended questions', () => {
    const steps = [1, 2, 3, 4, 5, 6, 7].map((n) =>
      step(n, {
        evidence:
          n === 3
            ? [
                { text: 'No labels were discussed.', score: 1, not_reached: false, interview_id: 9, question_title: 'Ads', submitted_at: '2026-06-01T09:00:00Z' },
                { text: ' ', score: 2, not_reached: false, interview_id: 9, question_title: 'Ads', submitted_at: '2026-06-01T09:00:00Z' },
              ]
            : [],
      }),
    )
    const view = shapeReport(
      report({
        steps,
        recommended_questions: [{ id: 4, slug: 'x', title: 'Fraud detection', level: 'mid', domain: 'fraud', stresses: [3, 5] }],
      } as Partial<Report>),
    )
    expect(view.quotes).toEqual([{ step: 3, text: 'No labels were discussed.', score: 1, questionTitle: 'Ads', when: '2026-06-01T09:00:00Z' }])
    expect(view.questions).toEqual([{ id: 4, title: 'Fraud detection', why: 'exercises step 3, step 5' }])
  })

  it('lists recurring pitfalls first', () => {
    const pitfalls = [
      { tag: 'a', label: 'A', count: 1, rate: 0.9, population_rate: 0.5, recurring: false },
      { tag: 'b', label: 'B', count: 3, rate: 0.5, population_rate: 0.1, recurring: true },
    ]
    expect(shapeReport(report({ pitfalls } as Partial<Report>)).pitfalls.map((p) => p.tag)).toEqual(['b', 'a'])
  })
})

describe('shapeHistory', () => {
  it('orders snapshots oldest first with an estimate per step', () => {
    const history = shapeHistory([
      { computed_at: '2026-06-02T00:00:00Z', n_scorecards: 2, steps: [{ step: 1, estimate: 2.5, lower: 2, upper: 3, n_ratings: 2 }] },
      { computed_at: '2026-06-01T00:00:00Z', n_scorecards: 1, steps: [{ step: 1, estimate: 2.0, lower: 1, upper: 3, n_ratings: 1 }] },
    ])
    expect(history.map((h) => h.steps[1])).toEqual([2.0, 2.5])
  })
})
