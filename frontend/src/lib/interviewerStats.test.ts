import { describe, expect, it } from 'vitest'
import { describeConsistency, describeFeedback, describeLeniency, shapeInterviewerStats, type InterviewerStats } from './interviewerStats'

const FITTED = '2030-03-01T02:00:00Z'

function stats(overrides: Partial<InterviewerStats> = {}): InterviewerStats {
  return {
    scorecards_submitted: 12,
    model_fitted_at: FITTED,
    leniency: { points: 0.4, lower: 0.2, upper: 0.6, n_ratings: 60, enough_data: true },
    consistency: { noise_sd: 0.5, population_noise_sd: 0.7, n_ratings: 60 },
    feedback_received: { count: 0, usefulness: null, specificity: null, preparedness: null, recent_comments: [] },
    ...overrides,
  }
}

describe('describeLeniency', () => {
  it('says generous when the whole band is above the average rater', () => {
    const finding = describeLeniency(stats())
    expect(finding.enoughData).toBe(true)
    expect(finding.headline).toBe('You score more generously than the average interviewer.')
    expect(finding.detail).toContain('about 0.40 points more on the 1–4 scale (90% band: +0.20 to +0.60 points; 60 step scores)')
  })

  it('says strict when the whole band is below, with real minus signs', () => {
    const finding = describeLeniency(stats({ leniency: { points: -0.5, lower: -0.8, upper: -0.2, n_ratings: 30, enough_data: true } }))
    expect(finding.headline).toBe('You score more strictly than the average interviewer.')
    expect(finding.detail).toContain('about 0.50 points less')
    expect(finding.detail).toContain('−0.80 to −0.20')
  })

  it('does not call a difference inside the uncertainty a finding', () => {
    const finding = describeLeniency(stats({ leniency: { points: 0.1, lower: -0.2, upper: 0.4, n_ratings: 40, enough_data: true } }))
    expect(finding.headline).toBe('You score like the average interviewer.')
  })

  it('says not enough data when the API does, and when there is no estimate at all', () => {
    const few = describeLeniency(stats({ leniency: { points: 0.9, lower: -0.5, upper: 2.3, n_ratings: 4, enough_data: false } }))
    expect(few.enoughData).toBe(false)
    expect(few.detail).toContain('Based on 4 step scores so far')
    const none = describeLeniency(stats({ leniency: null }))
    expect(none.enoughData).toBe(false)
    expect(none.detail).toContain('has not seen a scorecard of yours yet')
    const noModel = describeLeniency(stats({ leniency: null, model_fitted_at: null }))
    expect(noModel.detail).toContain('has not run yet')
  })
})

describe('describeConsistency', () => {
  it('compares the spread with the typical interviewer', () => {
    expect(describeConsistency(stats()).headline).toBe('You score more steadily than the typical interviewer.')
    expect(describeConsistency(stats({ consistency: { noise_sd: 1.0, population_noise_sd: 0.7, n_ratings: 60 } })).headline).toBe(
      'Your scores vary more than the typical interviewer’s.',
    )
    expect(describeConsistency(stats({ consistency: { noise_sd: 0.72, population_noise_sd: 0.7, n_ratings: 60 } })).headline).toBe(
      'You score about as steadily as the typical interviewer.',
    )
  })

  it('says not enough data without a spread', () => {
    const finding = describeConsistency(stats({ consistency: { noise_sd: null, population_noise_sd: 0.7, n_ratings: 3 } }))
    expect(finding.enoughData).toBe(false)
    expect(finding.detail).toContain('(3 step scores so far)')
  })
})

describe('describeFeedback', () => {
  it('says not enough data before any feedback is released', () => {
    const view = describeFeedback(stats())
    expect(view.enoughData).toBe(false)
    expect(view.ratings).toEqual([])
  })

  it('shows averages out of 5 and the recent comments', () => {
    const view = describeFeedback(
      stats({
        feedback_received: {
          count: 1,
          usefulness: 4.5,
          specificity: null,
          preparedness: 3,
          recent_comments: [{ comment: 'Sharp questions.', submitted_at: FITTED, interview_id: 9 }],
        },
      }),
    )
    expect(view.headline).toBe('Averages from 1 candidate’s feedback on you (5 is best):')
    expect(view.ratings.map((r) => r.value)).toEqual(['4.5 out of 5', 'not rated', '3.0 out of 5'])
    expect(view.comments).toEqual([{ text: 'Sharp questions.', when: FITTED, interviewId: 9 }])
  })
})

describe('shapeInterviewerStats', () => {
  it('counts the scorecards in words', () => {
    expect(shapeInterviewerStats(stats({ scorecards_submitted: 1 })).scorecards).toBe('1 scorecard')
  })
})
