// The interviewer's scorecard as an editable draft: loaded from the API (or empty), saved as
// the whole draft on every change (debounced), then submitted once with an idempotency key so a
// retried click can never submit twice.
import { useQuery } from '@tanstack/react-query'
import { useAutosavedDraft } from './autosave'
import { api } from './client'
import type { components } from './schema'
import type { Scorecard, ScorecardInput, StepScoreInput, SubmissionState } from './types'
import { keys } from './queries'

export type Recommendation = components['schemas']['RecommendationEnum']

export const RECOMMENDATIONS = [
  'strong_no_hire',
  'no_hire',
  'lean_no_hire',
  'lean_hire',
  'hire',
  'strong_hire',
] as const satisfies readonly Recommendation[]

/** "strong_no_hire" → "Strong no hire". */
export function humanize(value: string): string {
  const words = value.replaceAll('_', ' ')
  return words.charAt(0).toUpperCase() + words.slice(1)
}

export function emptyDraft(rubricVersion: number, steps: readonly number[]): ScorecardInput {
  return {
    rubric_version: rubricVersion,
    steps: steps.map((step) => emptyStep(step)),
    pitfalls: [],
    recommendation: null,
    pass_level: null,
    communication_score: null,
    summary: '',
  }
}

function emptyStep(step: number): StepScoreInput {
  return { step: step as StepScoreInput['step'], score: null, not_reached: false, evidence: '', moments: [] }
}

export function draftFromScorecard(scorecard: Scorecard, steps: readonly number[]): ScorecardInput {
  const byStep = new Map(scorecard.steps.map((row) => [row.step, row]))
  return {
    rubric_version: scorecard.rubric_version,
    steps: steps.map((step) => {
      const row = byStep.get(step)
      return row
        ? {
            step: step as StepScoreInput['step'],
            score: row.score,
            not_reached: row.not_reached,
            evidence: row.evidence,
            moments: row.moments.map((m) => ({ at: m.at, label: m.label, note_anchor: m.note_anchor })),
          }
        : emptyStep(step)
    }),
    pitfalls: [...scorecard.pitfalls],
    recommendation: scorecard.recommendation,
    pass_level: scorecard.pass_level,
    communication_score: scorecard.communication_score,
    summary: scorecard.summary,
  }
}

/** Change one step's row; marking a step "not reached" clears its score, as the API requires. */
export function withStep(draft: ScorecardInput, step: number, patch: Partial<StepScoreInput>): ScorecardInput {
  return {
    ...draft,
    steps: draft.steps.map((row) => {
      if (row.step !== step) return row
      const next = { ...row, ...patch }
      if (patch.not_reached) next.score = null
      if (patch.score !== undefined && patch.score !== null) next.not_reached = false
      return next
    }),
  }
}

export function togglePitfall(draft: ScorecardInput, tag: string, on: boolean): ScorecardInput {
  const current = (draft.pitfalls ?? []) as string[]
  const pitfalls = on ? [...new Set([...current, tag])] : current.filter((t) => t !== tag)
  return { ...draft, pitfalls: pitfalls as ScorecardInput['pitfalls'] }
}

/** What is still missing before a submission makes sense (the server has the final word). */
export function missingForSubmit(draft: ScorecardInput): string[] {
  const missing: string[] = []
  const unscored = draft.steps.filter((row) => row.score == null && !row.not_reached).map((row) => row.step)
  if (unscored.length) missing.push(`Score or mark as not reached: step ${unscored.join(', ')}.`)
  if (!draft.recommendation) missing.push('Choose a recommendation.')
  return missing
}

/** Where the user's own submission and the other side's stand on an interview (never an error). */
export function useSubmissionState(interviewId: number) {
  return useQuery({
    queryKey: keys.submissions(interviewId),
    queryFn: () => api.get('/api/interviews/{interview_id}/submissions/', { path: { interview_id: interviewId } }),
    staleTime: 0,
  })
}

/** Load (once started), autosave and submit the scorecard of an interview. */
export function useScorecardDraft(interviewId: number, rubricVersion: number, steps: readonly number[], state: SubmissionState | undefined) {
  return useAutosavedDraft({
    path: '/api/interviews/{interview_id}/scorecard/',
    interviewId,
    enabled: state !== undefined,
    exists: state?.mine !== 'not_started',
    fromOutput: (saved) => draftFromScorecard(saved, steps),
    empty: () => emptyDraft(rubricVersion, steps),
  })
}
