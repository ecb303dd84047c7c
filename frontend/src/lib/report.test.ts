import { describe, expect, it } from 'vitest'
import { shapeHistory, shapeReport } from './report'

const STEPS = [1, 2, 3, 4, 5, 6, 7].map((n) => ({ number: n, name: `Step ${n}`, budget_seconds: 270 }))
const LABELS = new Map([['ignores_monitoring', 'Ignores monitoring and drift']])

describe('shapeReport', () => {
  it('lists every step, marking those without enough data', () => {
    const view = shapeReport(
      {
        computed_at: '2026-06-01T10:00:00Z',
        n_scorecards: 1,
        body: {
          steps: [
            { step: 1, estimate: 2.1, lower: 1.6, upper: 2.6, bar: 3, n_ratings: 1, verdict: 'below' },
            { step: 7, estimate: 2.5, lower: 1.0, upper: 4.0, bar: 3, n_ratings: 1, verdict: 'not_enough_data' },
          ],
        },
      },
      STEPS,
      LABELS,
    )
    expect(view.steps).toHaveLength(7)
    expect(view.steps[0]).toMatchObject({ estimate: 2.1, enoughData: true })
    expect(view.steps[6].enoughData).toBe(false)
    expect(view.steps[3]).toMatchObject({ estimate: null, enoughData: false, nRatings: 0 })
    expect(view.basedOn).toBe('1 scorecard')
  })

  it('ranks the weakest steps by their gap to the bar when the API does not', () => {
    const view = shapeReport(
      {
        steps: [
          { step: 1, estimate: 3.2, bar: 3, n_ratings: 4 },
          { step: 3, estimate: 2.0, bar: 3, n_ratings: 4 },
          { step: 5, estimate: 2.6, bar: 3, n_ratings: 4 },
        ],
      },
      STEPS,
      LABELS,
    )
    expect(view.weakest.map((s) => s.step)).toEqual([3, 5, 1])
  })

  it('follows the API’s own ranking when it gives one', () => {
    const view = shapeReport({ steps: [], weakest_steps: [{ step: 6 }, 2] }, STEPS, LABELS)
    expect(view.weakest.map((s) => s.step)).toEqual([6, 2])
  })

  it('reads time on step, pitfalls, quotes and next questions', () => {
    const view = shapeReport(
      {
        time_on_step: [{ step: 1, mean_seconds: 120, budget_seconds: 270 }],
        pitfalls: [{ tag: 'ignores_monitoring', rate: 0.5, population_rate: 0.2, count: 2 }],
        evidence: [{ step: 3, text: 'No labels were discussed.' }, { step: 4, text: '' }],
        recommended_questions: [{ id: 9, title: 'Ad click prediction', reason: 'stresses evaluation' }],
      },
      STEPS,
      LABELS,
    )
    expect(view.time[0]).toEqual({ step: 1, name: 'Step 1', spentMinutes: 2, budgetMinutes: 4.5 })
    expect(view.time[1].spentMinutes).toBeNull()
    expect(view.pitfalls[0]).toMatchObject({ label: 'Ignores monitoring and drift', rate: 0.5 })
    expect(view.quotes).toEqual([{ step: 3, text: 'No labels were discussed.', when: null }])
    expect(view.questions).toEqual([{ id: 9, title: 'Ad click prediction', why: 'stresses evaluation' }])
  })

  it('survives an empty body', () => {
    expect(shapeReport(null, STEPS, LABELS).steps.every((s) => !s.enoughData)).toBe(true)
  })
})

describe('shapeHistory', () => {
  it('orders snapshots in time with an estimate per step', () => {
    const history = shapeHistory({
      results: [
        { computed_at: '2026-06-02T00:00:00Z', n_scorecards: 2, steps: [{ step: 1, estimate: 2.5 }] },
        { computed_at: '2026-06-01T00:00:00Z', n_scorecards: 1, steps: [{ step: 1, estimate: 2.0 }] },
      ],
    })
    expect(history.map((h) => h.steps[1])).toEqual([2.0, 2.5])
  })
})
