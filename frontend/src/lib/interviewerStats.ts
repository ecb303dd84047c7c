// Put GET /api/me/as-interviewer/ into sentences: how generous and how steady a user is as a
// rater, and how useful candidates found them. "Not enough data yet" is its own state, never
// a figure read as a finding.
import type { components } from '../api/schema'

export type InterviewerStats = components['schemas']['InterviewerStatsOutput']

export interface Finding {
  enoughData: boolean
  headline: string
  detail: string | null
}

export interface RatingRow {
  label: string
  value: string
}

export interface FeedbackView {
  enoughData: boolean
  headline: string
  ratings: RatingRow[]
  comments: { text: string; when: string; interviewId: number }[]
}

export interface InterviewerStatsView {
  scorecards: string
  modelFittedAt: string | null
  leniency: Finding
  consistency: Finding
  feedback: FeedbackView
}

// Within this share of the typical rater's spread, a difference is not worth a sentence.
const STEADY_MARGIN = 0.15

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/** 0.25 → "0.25", -0.5 → "−0.50" (a real minus sign). */
function points(value: number, signed = false): string {
  const text = Math.abs(value).toFixed(2)
  if (value < 0 && text !== '0.00') return `−${text}`
  return signed && text !== '0.00' ? `+${text}` : text
}

const NO_MODEL = 'The rater model has not run yet; it is fitted every night from all submitted scorecards.'

export function describeLeniency(stats: InterviewerStats): Finding {
  const l = stats.leniency
  if (!l) {
    return {
      enoughData: false,
      headline: 'Not enough data yet.',
      detail: stats.model_fitted_at
        ? 'The nightly rater model has not seen a scorecard of yours yet. Submit scorecards for the interviews you run.'
        : NO_MODEL,
    }
  }
  const band = `90% band: ${points(l.lower, true)} to ${points(l.upper, true)} points`
  if (!l.enough_data) {
    return {
      enoughData: false,
      headline: 'Not enough data yet.',
      detail: `Based on ${plural(l.n_ratings, 'step score')} so far, the estimate is still too uncertain to say (provisionally ${points(l.points, true)} points; ${band}).`,
    }
  }
  if (l.lower > 0) {
    return {
      enoughData: true,
      headline: 'You score more generously than the average interviewer.',
      detail: `For the same performance you give about ${points(l.points)} points more on the 1–4 scale (${band}; ${plural(l.n_ratings, 'step score')}). Reports correct for this.`,
    }
  }
  if (l.upper < 0) {
    return {
      enoughData: true,
      headline: 'You score more strictly than the average interviewer.',
      detail: `For the same performance you give about ${points(-l.points)} points less on the 1–4 scale (${band}; ${plural(l.n_ratings, 'step score')}). Reports correct for this.`,
    }
  }
  return {
    enoughData: true,
    headline: 'You score like the average interviewer.',
    detail: `The difference (${points(l.points, true)} points on the 1–4 scale) is within the uncertainty (${band}; ${plural(l.n_ratings, 'step score')}).`,
  }
}

export function describeConsistency(stats: InterviewerStats): Finding {
  const c = stats.consistency
  if (!c || c.noise_sd == null) {
    return {
      enoughData: false,
      headline: 'Not enough data yet.',
      detail: stats.model_fitted_at
        ? `Consistency is estimated once the nightly model has enough of your step scores${c ? ` (${plural(c.n_ratings, 'step score')} so far)` : ''}.`
        : NO_MODEL,
    }
  }
  const yours = `Your scores typically land ${points(c.noise_sd)} points from what the model expects for that performance`
  const basis = plural(c.n_ratings, 'step score')
  if (c.population_noise_sd == null || c.population_noise_sd <= 0) {
    return { enoughData: true, headline: `${yours}.`, detail: `Based on ${basis}; lower is steadier.` }
  }
  const ratio = c.noise_sd / c.population_noise_sd
  const typical = `the typical interviewer: ${points(c.population_noise_sd)}`
  if (ratio < 1 - STEADY_MARGIN) {
    return { enoughData: true, headline: 'You score more steadily than the typical interviewer.', detail: `${yours} (${typical}; ${basis}).` }
  }
  if (ratio > 1 + STEADY_MARGIN) {
    return {
      enoughData: true,
      headline: 'Your scores vary more than the typical interviewer’s.',
      detail: `${yours} (${typical}; ${basis}). Checking each score against the level descriptors helps.`,
    }
  }
  return { enoughData: true, headline: 'You score about as steadily as the typical interviewer.', detail: `${yours} (${typical}; ${basis}).` }
}

export function describeFeedback(stats: InterviewerStats): FeedbackView {
  const f = stats.feedback_received
  if (f.count === 0) {
    return {
      enoughData: false,
      headline: 'No candidate’s feedback on you has been released yet: it is released once both of you have submitted, or at the deadline.',
      ratings: [],
      comments: [],
    }
  }
  const rate = (value: number | null) => (value == null ? 'not rated' : `${value.toFixed(1)} out of 5`)
  return {
    enoughData: true,
    headline: `Averages from ${f.count === 1 ? '1 candidate’s' : `${f.count} candidates’`} feedback on you (5 is best):`,
    ratings: [
      { label: 'Usefulness of your feedback', value: rate(f.usefulness) },
      { label: 'Specificity of your feedback', value: rate(f.specificity) },
      { label: 'How prepared you were', value: rate(f.preparedness) },
    ],
    comments: f.recent_comments.map((c) => ({ text: c.comment, when: c.submitted_at, interviewId: c.interview_id })),
  }
}

export function shapeInterviewerStats(stats: InterviewerStats): InterviewerStatsView {
  return {
    scorecards: plural(stats.scorecards_submitted, 'scorecard'),
    modelFittedAt: stats.model_fitted_at,
    leniency: describeLeniency(stats),
    consistency: describeConsistency(stats),
    feedback: describeFeedback(stats),
  }
}
