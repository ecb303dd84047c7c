// Shape the weakness report for the page: the API's body is read defensively (a report built
// from few scorecards simply lacks parts), and "not enough data" is a state, never a zero.

type Json = Record<string, unknown>

export interface StepRow {
  step: number
  name: string
  estimate: number | null
  lower: number | null
  upper: number | null
  bar: number | null
  nRatings: number
  verdict: string | null
  trend: string | null
  percentile: number | null
  enoughData: boolean
}

export interface TimeRow {
  step: number
  name: string
  spentMinutes: number | null
  budgetMinutes: number
}

export interface PitfallRow {
  tag: string
  label: string
  rate: number | null
  populationRate: number | null
  count: number | null
}

export interface Quote {
  step: number | null
  text: string
  when: string | null
}

export interface QuestionRef {
  id: number | null
  title: string
  why: string | null
}

export interface ReportView {
  computedAt: string | null
  basedOn: string
  steps: StepRow[]
  weakest: StepRow[]
  time: TimeRow[]
  pitfalls: PitfallRow[]
  quotes: Quote[]
  questions: QuestionRef[]
}

export interface HistoryPoint {
  computedAt: string
  nScorecards: number
  steps: Record<number, number | null>
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null)
const arr = (v: unknown): Json[] => (Array.isArray(v) ? v.filter((x): x is Json => !!x && typeof x === 'object') : [])

/** Verdicts that mean the estimate is too uncertain to judge. */
export const NOT_ENOUGH = new Set(['not_enough_data', 'insufficient_data', 'unknown'])

export function shapeReport(
  body: unknown,
  steps: readonly { number: number; name: string; budget_seconds: number }[],
  pitfallLabels: ReadonlyMap<string, string>,
): ReportView {
  const root = (body && typeof body === 'object' ? body : {}) as Json
  const report = (root.body && typeof root.body === 'object' ? root.body : root) as Json
  const byStep = new Map(arr(report.steps).map((s) => [num(s.step), s]))
  const stepRows: StepRow[] = steps.map(({ number, name }) => {
    const s = byStep.get(number) ?? {}
    const verdict = str(s.verdict) ?? str(s.status)
    const nRatings = num(s.n_ratings) ?? num(s.n) ?? 0
    const estimate = num(s.estimate) ?? num(s.mean)
    return {
      step: number,
      name,
      estimate,
      lower: num(s.lower),
      upper: num(s.upper),
      bar: num(s.bar) ?? num(s.target_bar),
      nRatings,
      verdict,
      trend: str(s.trend) ?? str((s.trend as Json | undefined)?.direction),
      percentile: num(s.percentile),
      enoughData: estimate !== null && nRatings > 0 && !(verdict && NOT_ENOUGH.has(verdict)),
    }
  })
  const weakestIds = (Array.isArray(report.weakest_steps) ? report.weakest_steps : [])
    .map((w) => (typeof w === 'number' ? w : num((w as Json)?.step)))
    .filter((n): n is number => n !== null)
  const weakest = weakestIds.length
    ? weakestIds.map((id) => stepRows.find((r) => r.step === id)).filter((r): r is StepRow => !!r)
    : stepRows
        .filter((r) => r.enoughData && r.bar !== null && r.estimate !== null)
        .sort((a, b) => a.estimate! - a.bar! - (b.estimate! - b.bar!))
        .slice(0, 3)
  const timing = new Map(arr(report.time_on_step ?? report.timing).map((t) => [num(t.step), t]))
  const time: TimeRow[] = steps.map(({ number, name, budget_seconds }) => {
    const t = timing.get(number) ?? {}
    const seconds = num(t.mean_seconds) ?? num(t.seconds) ?? num(t.spent_seconds)
    const budget = num(t.budget_seconds) ?? budget_seconds
    return { step: number, name, spentMinutes: seconds === null ? null : seconds / 60, budgetMinutes: budget / 60 }
  })
  const pitfalls = arr(report.pitfalls ?? report.recurring_pitfalls).map((p) => {
    const tag = str(p.tag) ?? ''
    return {
      tag,
      label: str(p.label) ?? pitfallLabels.get(tag) ?? tag,
      rate: num(p.rate),
      populationRate: num(p.population_rate),
      count: num(p.count),
    }
  })
  const quotes = arr(report.evidence ?? report.quotes).map((q) => ({
    step: num(q.step),
    text: str(q.text) ?? str(q.evidence) ?? '',
    when: str(q.at) ?? str(q.submitted_at),
  }))
  const questions = arr(report.recommended_questions ?? report.next_questions).map((q) => ({
    id: num(q.id),
    title: str(q.title) ?? '',
    why: str(q.reason) ?? str(q.why),
  }))
  const n = num(root.n_scorecards) ?? num(report.n_scorecards)
  return {
    computedAt: str(root.computed_at) ?? str(report.computed_at),
    basedOn: n === null ? '' : `${n} scorecard${n === 1 ? '' : 's'}`,
    steps: stepRows,
    weakest,
    time,
    pitfalls,
    quotes: quotes.filter((q) => q.text),
    questions: questions.filter((q) => q.title),
  }
}

export function shapeHistory(body: unknown): HistoryPoint[] {
  const root = (body && typeof body === 'object' ? body : {}) as Json
  const rows = Array.isArray(body) ? arr(body) : arr(root.results)
  return rows
    .map((row) => {
      const steps: Record<number, number | null> = {}
      for (const s of arr(row.steps)) {
        const step = num(s.step)
        if (step !== null) steps[step] = num(s.estimate)
      }
      return { computedAt: str(row.computed_at) ?? '', nScorecards: num(row.n_scorecards) ?? 0, steps }
    })
    .filter((p) => p.computedAt)
    .sort((a, b) => a.computedAt.localeCompare(b.computedAt))
}
