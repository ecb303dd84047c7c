import { describe, expect, it } from 'vitest'
import {
  describeBelowBar,
  describeCommunication,
  describePercentile,
  describeSelfAssessment,
  describeWeakest,
  inTen,
  ordinal,
  shapeHistory,
  shapeReport,
  type Communication,
  type Report,
  type SelfAssessment,
} from './report'

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
    p_below_bar: 0.8,
    p_weakest: 0,
    percentile: null,
    trend: { direction: 'not_enough_data', slope_per_30_days: null, lower: null, upper: null, p_improving: null },
    time: { interviews_reached: 1, mean_seconds: 120, budget_seconds: 270, ratio: 0.44 },
    self_assessment: selfAssessment(),
    evidence: [],
    ...overrides,
  }
}

function selfAssessment(overrides: Partial<SelfAssessment> = {}): SelfAssessment {
  return { interviews: 1, mean_self_score: 3, mean_received: 2.4, gap: 0.6, lower: null, upper: null, verdict: 'not_enough_data', ...overrides }
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
    weakest: { meaning: 'lowest_skill', step: null, probability: 0.3, threshold: 0.65, more_interviews: 2 },
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

  it('names the weakest step with how likely it is', () => {
    const steps = [1, 2, 3, 4, 5, 6, 7].map((n) => step(n, { p_weakest: n === 3 ? 0.82 : n === 5 ? 0.12 : 0.01 }))
    const weakest = { meaning: 'lowest_skill', step: 3, probability: 0.82, threshold: 0.65, more_interviews: 0 } as const
    const view = shapeReport(report({ steps, weakest } as unknown as Partial<Report>))
    expect(view.weakest.named).toBe(true)
    expect(view.weakest.sentence).toBe('Step 3 is your weakest step (about 8 in 10 likely).')
    expect(view.weakest.candidates.map((c) => [c.step, c.probability])).toEqual([
      [3, 0.82],
      [5, 0.12],
    ])
  })

  it('names no weakest step below the threshold and says what would settle it', () => {
    const steps = [1, 2, 3, 4, 5, 6, 7].map((n) => step(n, { p_weakest: n === 3 ? 0.45 : n === 1 ? 0.3 : 0.05 }))
    const view = shapeReport(report({ steps, weakest: { meaning: 'lowest_skill', step: null, probability: 0.45, threshold: 0.65, more_interviews: 2 } } as unknown as Partial<Report>))
    expect(view.weakest.named).toBe(false)
    expect(view.weakest.sentence).toBe(
      'Not enough evidence yet to name your weakest step. The most likely is Step 3 (about 5 in 10); the report names a step at 7 in 10 or more. About 2 more interviews like the ones so far would settle it.',
    )
  })

  it('says when more interviews may not tell the steps apart, and reads reports built before the claim', () => {
    const alike = describeWeakest({ meaning: 'lowest_skill', step: null, probability: 0.2, threshold: 0.65, more_interviews: null }, [])
    expect(alike.sentence).toContain('Your steps look alike so far')
    expect(describeWeakest(null, []).sentence).toBe('Not enough data yet to name your weakest step.')
  })

  it('never claims certainty in words', () => {
    expect(inTen(1)).toBe('more than 9 in 10')
    expect(inTen(0.66)).toBe('about 7 in 10')
    expect(inTen(0.01)).toBe('less than 1 in 10')
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
    expect(view.questions).toEqual([{ id: 4, title: 'Fraud detection', domain: 'fraud', why: 'exercises step 3, step 5' }])
  })

  it('lists recurring pitfalls first', () => {
    const pitfalls = [
      { tag: 'a', label: 'A', count: 1, rate: 0.9, population_rate: 0.5, recurring: false },
      { tag: 'b', label: 'B', count: 3, rate: 0.5, population_rate: 0.1, recurring: true },
    ]
    expect(shapeReport(report({ pitfalls } as Partial<Report>)).pitfalls.map((p) => p.tag)).toEqual(['b', 'a'])
  })
})

describe('describeSelfAssessment', () => {
  const compared = { interviews: 3, lower: 0.2, upper: 1.0 }

  it('says by how much someone rates themselves higher only when the verdict says so', () => {
    expect(describeSelfAssessment(selfAssessment({ ...compared, gap: 0.63, verdict: 'overrates' }), 3)).toBe(
      'You rate yourself about 0.6 points higher than your interviewers do (3 interviews).',
    )
    expect(describeSelfAssessment(selfAssessment({ ...compared, gap: -1.04, verdict: 'underrates' }), 3)).toBe(
      'You rate yourself about 1.0 points lower than your interviewers do (3 interviews).',
    )
    expect(describeSelfAssessment(selfAssessment({ ...compared, gap: 0.02, verdict: 'overrates' }), 3)).toBe(
      'You rate yourself slightly higher than your interviewers do (3 interviews).',
    )
  })

  it('claims no direction when in line or unclear, even with a gap', () => {
    const inLine = describeSelfAssessment(selfAssessment({ ...compared, gap: 0.1, verdict: 'in_line' }), 3)
    expect(inLine).toBe('Your self-assessment is in line with your interviewers (3 interviews).')
    const unclear = describeSelfAssessment(selfAssessment({ ...compared, interviews: 4, gap: 0.6, verdict: 'unclear' }), 3)
    expect(unclear).toBe('Too uncertain yet to say whether you rate yourself higher or lower than your interviewers (4 interviews).')
    expect(unclear).not.toMatch(/0\.6/)
  })

  it('counts towards the minimum while there are too few interviews', () => {
    expect(describeSelfAssessment(selfAssessment({ interviews: 1 }), 3)).toBe('Not enough self-assessments yet (1 of 3 interviews).')
    expect(describeSelfAssessment(selfAssessment({ interviews: 0, gap: null }), 3)).toBe('Not enough self-assessments yet (0 of 3 interviews).')
    expect(describeSelfAssessment(selfAssessment({ interviews: 3, gap: null }), 3)).toBe('Not enough data yet to compare (3 interviews).')
  })
})

describe('shapeReport self-assessment', () => {
  it('sums up in one sentence while no step can be compared', () => {
    const steps = [1, 2, 3, 4, 5, 6, 7].map((n) => step(n, { self_assessment: selfAssessment({ interviews: n <= 2 ? 2 : 0 }) }))
    const view = shapeReport(report({ steps } as Partial<Report>))
    expect(view.selfSummary).toBe(
      'Not enough self-assessments yet (2 of 3 interviews). Rate yourself on each step when you give feedback on your interviewer.',
    )
    expect(view.selfViews).toHaveLength(7)
  })

  it('gives one sentence per step once some step can be compared', () => {
    const steps = [1, 2, 3, 4, 5, 6, 7].map((n) =>
      step(n, { self_assessment: n === 2 ? selfAssessment({ interviews: 3, gap: 0.6, lower: 0.2, upper: 1, verdict: 'overrates' }) : selfAssessment() }),
    )
    const view = shapeReport(report({ steps } as Partial<Report>))
    expect(view.selfSummary).toBeNull()
    expect(view.selfViews[1]).toEqual({
      step: 2,
      name: 'Step 2',
      verdict: 'overrates',
      sentence: 'You rate yourself about 0.6 points higher than your interviewers do (3 interviews).',
    })
    expect(view.selfViews[0].sentence).toBe('Not enough self-assessments yet (1 of 3 interviews).')
  })
})

describe('shapeHistory', () => {
  it('orders snapshots oldest first with an estimate per step', () => {
    const history = shapeHistory([
      { computed_at: '2026-06-02T00:00:00Z', n_scorecards: 2, steps: [{ step: 1, estimate: 2.5, lower: 2, upper: 3, n_ratings: 2 }], communication: null },
      { computed_at: '2026-06-01T00:00:00Z', n_scorecards: 1, steps: [{ step: 1, estimate: 2.0, lower: 1, upper: 3, n_ratings: 1 }], communication: null },
    ])
    expect(history.map((h) => h.steps[1])).toEqual([2.0, 2.5])
  })
})

describe('describeCommunication', () => {
  const talk = (overrides: Partial<Communication> = {}): Communication => ({
    estimate: 2.62,
    lower: 2.2,
    upper: 3.04,
    raw_mean: 3,
    n_ratings: 4,
    bar: 3,
    gap: -0.38,
    verdict: 'below_bar',
    p_below_bar: null,
    ...overrides,
  })

  it('gives the estimate, its band and the verdict against the bar', () => {
    expect(describeCommunication(talk(), 3)).toBe('Communication and trade-offs: 2.6 (90% band 2.2–3.0, 4 ratings), below the bar of 3.0.')
  })

  it('states how likely communication is below the bar next to its verdict', () => {
    expect(describeCommunication(talk({ p_below_bar: 0.97 }), 3)).toBe(
      'Communication and trade-offs: 2.6 (90% band 2.2–3.0, 4 ratings), below the bar of 3.0 (more than 9 in 10 chance below).',
    )
    expect(describeCommunication(talk({ verdict: 'near_bar', p_below_bar: 0.62 }), 3)).toBe(
      'Communication and trade-offs: 2.6 (90% band 2.2–3.0, 4 ratings), near the bar of 3.0 (about 6 in 10 chance below).',
    )
  })

  it('says "not enough data yet" instead of an estimate while the evidence is thin', () => {
    expect(describeCommunication(talk({ n_ratings: 1, verdict: 'not_enough_data' }), 3)).toBe(
      'Communication and trade-offs: not enough data yet (1 of 3 ratings).',
    )
  })

  it('is left out of reports built before communication was estimated', () => {
    expect(shapeReport(report()).communication).toBeNull()
    expect(shapeReport(report({ communication: talk({ verdict: 'no_bar', bar: null, gap: null }) })).communication).toBe(
      'Communication and trade-offs: 2.6 (90% band 2.2–3.0, 4 ratings).',
    )
  })
})

describe('steps without ratings and reports without scorecards', () => {
  it('marks a step nobody has rated as having no estimate', () => {
    const steps = [step(1, { n_ratings: 0 }), ...[2, 3, 4, 5, 6, 7].map((n) => step(n))]
    const view = shapeReport(report({ steps } as Partial<Report>))
    expect(view.steps[0].rated).toBe(false)
    expect(view.steps[1].rated).toBe(true)
  })

  it('is empty with zero scorecards, so the page shows its empty state', () => {
    const none = report({ based_on: { scorecards: 0, ratings: 0, raters: 0, latest_scorecard_at: null, model_fit_id: null, model_fitted_at: null } })
    expect(shapeReport(none).empty).toBe(true)
    expect(shapeReport(report()).empty).toBe(false)
  })
})

describe('describePercentile', () => {
  it('gives the rank with its English ordinal when the API computed one', () => {
    expect(describePercentile(62.4, 5, 3)).toBe('62nd percentile')
    expect(describePercentile(1, 5, 3)).toBe('1st percentile')
    expect(describePercentile(13, 5, 3)).toBe('13th percentile')
    expect(ordinal(111)).toBe('111th')
    expect(ordinal(23)).toBe('23rd')
  })

  it('says how many more ratings a step needs before it is ranked', () => {
    expect(describePercentile(null, 1, 3)).toBe('after 2 more ratings')
    expect(describePercentile(null, 2, 3)).toBe('after 1 more rating')
    expect(describePercentile(null, 0, 3)).toBe('after 3 more ratings')
  })

  it('waits for the nightly recalculation once the ratings are there', () => {
    expect(describePercentile(null, 3, 3)).toBe('after the nightly recalculation')
  })

  it('is shaped into every step of the report', () => {
    const steps = [step(1, { n_ratings: 4, percentile: 40 }), ...[2, 3, 4, 5, 6, 7].map((n) => step(n))]
    const view = shapeReport(report({ steps } as Partial<Report>))
    expect(view.steps[0].percentileText).toBe('40th percentile')
    expect(view.steps[1].percentileText).toBe('after 2 more ratings')
  })
})

describe('describeBelowBar', () => {
  it('says how likely the step is below the bar next to a verdict', () => {
    expect(describeBelowBar('near_bar', 0.38)).toBe('about 4 in 10 chance below')
    expect(describeBelowBar('below_bar', 0.97)).toBe('more than 9 in 10 chance below')
    expect(describeBelowBar('at_or_above_bar', 0.02)).toBe('less than 1 in 10 chance below')
  })

  it('says nothing without a verdict or in a report built before the probability', () => {
    expect(describeBelowBar('not_enough_data', 0.8)).toBeNull()
    expect(describeBelowBar('near_bar', null)).toBeNull()
  })

  it('is shaped into the steps that have a verdict only', () => {
    const steps = [step(1, { n_ratings: 4, verdict: 'near_bar', p_below_bar: 0.62 }), ...[2, 3, 4, 5, 6, 7].map((n) => step(n))]
    const view = shapeReport(report({ steps } as Partial<Report>))
    expect(view.steps[0].belowBarText).toBe('about 6 in 10 chance below')
    expect(view.steps[1].belowBarText).toBeNull()
  })
})
