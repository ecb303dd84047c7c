// Shape the weakness report for the page. "Not enough data" is a state of its own, never a
// zero: a step whose verdict says so shows no estimate as if it were a finding.
import type { components } from '../api/schema'

type Schemas = components['schemas']
export type Report = Schemas['ReportOutput']
export type Snapshot = Schemas['SnapshotOutput']
export type SelfAssessment = Schemas['SelfAssessmentOutput']
export type Communication = Schemas['CommunicationOutput']
export type Weakest = Schemas['WeakestOutput']

export interface StepRow {
  step: number
  name: string
  estimate: number
  lower: number
  upper: number
  bar: number
  gap: number
  nRatings: number
  verdict: string
  /** The verdict's own probability, in words ("about 4 in 10 chance below"); null without a verdict. */
  belowBarText: string | null
  trend: string
  percentile: number | null
  /** What the Percentile column says: the rank, or when there will be one. */
  percentileText: string
  enoughData: boolean
  /** False for a step nobody has scored yet: its "estimate" is only the population's prior. */
  rated: boolean
}

export interface SelfView {
  step: number
  name: string
  verdict: SelfAssessment['verdict']
  sentence: string
}

export interface TimeRow {
  step: number
  name: string
  spentMinutes: number | null
  budgetMinutes: number
}

export interface Quote {
  step: number
  text: string
  score: number | null
  questionTitle: string
  when: string
}

export interface ReportView {
  /** No scorecard at all: the page shows its empty state, not a chart of priors. */
  empty: boolean
  computedAt: string
  basedOn: string
  enoughData: boolean
  minRatings: number
  steps: StepRow[]
  weakest: WeakestView
  selfViews: SelfView[]
  /** One sentence for all steps while none has enough self-assessments to compare. */
  selfSummary: string | null
  time: TimeRow[]
  timeNotes: string[]
  pitfalls: Schemas['PitfallReportOutput'][]
  quotes: Quote[]
  questions: { id: number; title: string; domain: string; why: string }[]
  /** One sentence on the rubric's cross-cutting section; null in reports built before it. */
  communication: string | null
}

/** What the report says about the weakest step: named only when the API is sure enough. */
export interface WeakestView {
  named: boolean
  sentence: string
  /** Steps at least CANDIDATE_FLOOR likely to be the weakest, most likely first. */
  candidates: { step: number; name: string; probability: number }[]
}

/** "Weakest" has one meaning everywhere on the page (the API's meaning "lowest_skill"). */
export const WEAKEST_MEANING =
  'Weakest means your lowest skill of the seven steps, whatever the bar of your target level (the table compares each step with the bar).'

const CANDIDATE_FLOOR = 0.1

/** 0.82 → "about 8 in 10"; certainty is never claimed, so 0.97 is "more than 9 in 10". */
export function inTen(probability: number): string {
  if (probability >= 0.95) return 'more than 9 in 10'
  if (probability < 0.05) return 'less than 1 in 10'
  return `about ${Math.round(probability * 10)} in 10`
}

/** Say which step is weakest with its probability, or why none is named yet and what would settle it. */
export function describeWeakest(weakest: Weakest | null | undefined, steps: readonly { step: number; title: string; p_weakest?: number | null }[]): WeakestView {
  const candidates = steps
    .filter((s) => (s.p_weakest ?? 0) >= CANDIDATE_FLOOR)
    .map((s) => ({ step: s.step, name: s.title, probability: s.p_weakest ?? 0 }))
    .sort((a, b) => b.probability - a.probability)
  if (!weakest) return { named: false, sentence: 'Not enough data yet to name your weakest step.', candidates: [] }
  const title = (n: number | null | undefined) => steps.find((s) => s.step === n)?.title ?? `Step ${n}`
  if (weakest.step != null) {
    return {
      named: true,
      sentence: `${title(weakest.step)} is your weakest step (${inTen(weakest.probability)} likely).`,
      candidates,
    }
  }
  const top = candidates[0]
  const leading = top
    ? ` The most likely is ${top.name} (${inTen(top.probability)}); the report names a step at ${inTen(weakest.threshold).replace('about ', '')} or more.`
    : ''
  const more =
    weakest.more_interviews == null
      ? ' Your steps look alike so far: it may take many more interviews to tell them apart.'
      : ` About ${plural(weakest.more_interviews, 'more interview')} like the ones so far would settle it.`
  return { named: false, sentence: `Not enough evidence yet to name your weakest step.${leading}${more}`, candidates }
}

/**
 * How likely a step is below the bar, said next to the verdict: "below" and "at or above" are
 * given at 90% (so these read "more than 9 in 10" / "less than 1 in 10"); for "near the bar" it
 * says which side is more likely. Nothing while the step has no verdict, or in a report built
 * before the probability was computed.
 */
export function describeBelowBar(verdict: string, pBelowBar: number | null | undefined): string | null {
  if (verdict === 'not_enough_data' || pBelowBar == null) return null
  return `${inTen(pBelowBar)} chance below`
}

export interface HistoryPoint {
  computedAt: string
  nScorecards: number
  steps: Record<number, number | null>
}

export const VERDICT_WORDS: Record<string, string> = {
  not_enough_data: 'not enough data yet',
  below_bar: 'below the bar',
  near_bar: 'near the bar',
  at_or_above_bar: 'at or above the bar',
}

export const TREND_WORDS: Record<string, string> = {
  not_enough_data: 'not enough data yet',
  improving: 'improving',
  declining: 'declining',
  flat: 'flat',
  unclear: 'no clear trend',
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

function stepList(steps: readonly number[]): string {
  return steps.map((s) => `step ${s}`).join(', ')
}

/** 0.63 → "about 0.6 points "; a gap that rounds to nothing is "slightly ". */
function aboutPoints(gap: number | null): string {
  if (gap === null) return ''
  const text = Math.abs(gap).toFixed(1)
  return text === '0.0' ? 'slightly ' : `about ${text} points `
}

/** Say how a step's own scores compare with the raters', claiming a direction only when the verdict does. */
export function describeSelfAssessment(sa: SelfAssessment, minRatings: number): string {
  const count = plural(sa.interviews, 'interview')
  switch (sa.verdict) {
    case 'overrates':
    case 'underrates': {
      const direction = sa.verdict === 'overrates' ? 'higher' : 'lower'
      return `You rate yourself ${aboutPoints(sa.gap)}${direction} than your interviewers do (${count}).`
    }
    case 'in_line':
      return `Your self-assessment is in line with your interviewers (${count}).`
    case 'unclear':
      return `Too uncertain yet to say whether you rate yourself higher or lower than your interviewers (${count}).`
    default:
      // The API can also withhold a verdict for a step with enough interviews when it cannot
      // compute a band; "n of min" would then read as a contradiction.
      return sa.interviews < minRatings
        ? `Not enough self-assessments yet (${sa.interviews} of ${minRatings} interviews).`
        : `Not enough data yet to compare (${count}).`
  }
}

/** Say where communication and trade-offs stand, giving a verdict only when the API does. */
export function describeCommunication(c: Communication, minRatings: number): string {
  const band = `${c.estimate.toFixed(1)} (90% band ${c.lower.toFixed(1)}–${c.upper.toFixed(1)}, ${plural(c.n_ratings, 'rating')})`
  switch (c.verdict) {
    case 'not_enough_data':
      return `Communication and trade-offs: not enough data yet (${c.n_ratings} of ${minRatings} ratings).`
    case 'no_bar':
      return `Communication and trade-offs: ${band}.`
    default: {
      const chance = describeBelowBar(c.verdict, c.p_below_bar)
      return `Communication and trade-offs: ${band}, ${VERDICT_WORDS[c.verdict] ?? c.verdict}${
        c.bar == null ? '' : ` of ${c.bar.toFixed(1)}`
      }${chance ? ` (${chance})` : ''}.`
    }
  }
}

function shapeSelfViews(report: Report): { selfViews: SelfView[]; selfSummary: string | null } {
  const selfViews = report.steps.map((s) => ({
    step: s.step,
    name: s.title,
    verdict: s.self_assessment.verdict,
    sentence: describeSelfAssessment(s.self_assessment, report.min_ratings),
  }))
  if (selfViews.some((v) => v.verdict !== 'not_enough_data')) return { selfViews, selfSummary: null }
  const most = report.steps.reduce((a, b) => (b.self_assessment.interviews > a.self_assessment.interviews ? b : a), report.steps[0])
  const hint = 'Rate yourself on each step when you give feedback on your interviewer.'
  return { selfViews, selfSummary: most ? `${describeSelfAssessment(most.self_assessment, report.min_ratings)} ${hint}` : hint }
}

/** 1 → "1st", 22 → "22nd", 13 → "13th". */
export function ordinal(n: number): string {
  const tens = n % 100
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')
  return `${n}${suffix}`
}

/**
 * The Percentile column: the rank among users of the same target level when the API gives one,
 * else when it will: a step needs minRatings ratings, and the population it is ranked in is
 * computed by the nightly recalculation, so a step that just got enough waits for that.
 */
export function describePercentile(percentile: number | null | undefined, nRatings: number, minRatings: number): string {
  if (percentile != null) return `${ordinal(Math.round(percentile))} percentile`
  const missing = minRatings - nRatings
  if (missing > 0) return `after ${plural(missing, 'more rating')}`
  return 'after the nightly recalculation'
}

export function shapeReport(report: Report): ReportView {
  const steps: StepRow[] = report.steps.map((s) => ({
    step: s.step,
    name: s.title,
    estimate: s.estimate,
    lower: s.lower,
    upper: s.upper,
    bar: s.bar,
    gap: s.gap,
    nRatings: s.n_ratings,
    verdict: s.verdict,
    belowBarText: describeBelowBar(s.verdict, s.p_below_bar),
    trend: s.trend.direction,
    percentile: s.percentile ?? null,
    percentileText: describePercentile(s.percentile, s.n_ratings, report.min_ratings),
    enoughData: s.verdict !== 'not_enough_data',
    rated: s.n_ratings > 0,
  }))
  const tm = report.time_management
  const timeNotes = [
    tm.rushed_steps.length ? `Rushed: ${stepList(tm.rushed_steps)}.` : '',
    tm.over_budget_steps.length ? `Over budget: ${stepList(tm.over_budget_steps)}.` : '',
    tm.often_not_reached.length ? `Often not reached before the clock ran out: ${stepList(tm.often_not_reached)}.` : '',
  ].filter(Boolean)
  return {
    empty: report.based_on.scorecards === 0,
    computedAt: report.computed_at,
    basedOn: `${plural(report.based_on.scorecards, 'scorecard')} from ${plural(report.based_on.raters, 'interviewer')}`,
    enoughData: report.enough_data,
    minRatings: report.min_ratings,
    steps,
    weakest: describeWeakest(report.weakest, report.steps),
    ...shapeSelfViews(report),
    time: report.steps.map((s) => ({
      step: s.step,
      name: s.title,
      spentMinutes: s.time.mean_seconds == null ? null : s.time.mean_seconds / 60,
      budgetMinutes: s.time.budget_seconds / 60,
    })),
    timeNotes,
    pitfalls: [...report.pitfalls].sort((a, b) => Number(b.recurring) - Number(a.recurring) || b.rate - a.rate),
    quotes: report.steps.flatMap((s) =>
      s.evidence
        .filter((q) => q.text.trim())
        .map((q) => ({ step: s.step, text: q.text, score: q.score ?? null, questionTitle: q.question_title, when: q.submitted_at })),
    ),
    questions: report.recommended_questions.map((q) => ({
      id: q.id,
      title: q.title,
      domain: q.domain,
      why: q.stresses.length ? `exercises ${stepList(q.stresses)}` : '',
    })),
    communication: report.communication ? describeCommunication(report.communication, report.min_ratings) : null,
  }
}

export function shapeHistory(snapshots: readonly Snapshot[]): HistoryPoint[] {
  return snapshots
    .map((row) => ({
      computedAt: row.computed_at,
      nScorecards: row.n_scorecards,
      steps: Object.fromEntries(row.steps.map((s) => [s.step, s.estimate])) as Record<number, number | null>,
    }))
    .sort((a, b) => a.nScorecards - b.nScorecards || a.computedAt.localeCompare(b.computedAt))
}
