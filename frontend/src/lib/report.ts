// Shape the weakness report for the page. "Not enough data" is a state of its own, never a
// zero: a step whose verdict says so shows no estimate as if it were a finding.
import type { components } from '../api/schema'

type Schemas = components['schemas']
export type Report = Schemas['ReportOutput']
export type Snapshot = Schemas['SnapshotOutput']

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
  trend: string
  percentile: number | null
  enoughData: boolean
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
  computedAt: string
  basedOn: string
  enoughData: boolean
  minRatings: number
  steps: StepRow[]
  weakest: StepRow[]
  time: TimeRow[]
  timeNotes: string[]
  pitfalls: Schemas['PitfallReportOutput'][]
  quotes: Quote[]
  questions: { id: number; title: string; why: string }[]
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
    trend: s.trend.direction,
    percentile: s.percentile ?? null,
    enoughData: s.verdict !== 'not_enough_data',
  }))
  const byStep = new Map(steps.map((s) => [s.step, s]))
  const tm = report.time_management
  const timeNotes = [
    tm.rushed_steps.length ? `Rushed: ${stepList(tm.rushed_steps)}.` : '',
    tm.over_budget_steps.length ? `Over budget: ${stepList(tm.over_budget_steps)}.` : '',
    tm.often_not_reached.length ? `Often not reached before the clock ran out: ${stepList(tm.often_not_reached)}.` : '',
  ].filter(Boolean)
  return {
    computedAt: report.computed_at,
    basedOn: `${plural(report.based_on.scorecards, 'scorecard')} from ${plural(report.based_on.raters, 'interviewer')}`,
    enoughData: report.enough_data,
    minRatings: report.min_ratings,
    steps,
    weakest: report.weakest_steps.map((n) => byStep.get(n)).filter((s): s is StepRow => !!s),
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
      why: q.stresses.length ? `exercises ${stepList(q.stresses)}` : '',
    })),
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
