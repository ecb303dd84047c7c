// Interviews as the scheduling API returns them, read through small helpers so the pages do
// not depend on every detail of the shape.
import { useQuery } from '@tanstack/react-query'
import { api } from './client'
import type { components } from './schema'
import type { Me, Rubric } from './types'

export type PersonRef = components['schemas']['PersonOutput']
export type InterviewSummary = components['schemas']['InterviewOutput']
export type InterviewDetail = components['schemas']['InterviewDetailOutput']
export type GuideStep = { covers?: string[]; follow_ups?: string[]; red_flags?: string[] }

/** The interviewer guide of one step, when the API shows it to this user. */
export function guideFor(interview: InterviewDetail, step: number): GuideStep | null {
  const guide = interview.guide as Record<string, GuideStep> | null | undefined
  return guide?.[String(step)] ?? null
}

export function roleOf(interview: Pick<InterviewDetail, 'interviewer' | 'candidate'>, me: Me): 'interviewer' | 'candidate' | null {
  if (interview.interviewer?.id === me.id) return 'interviewer'
  if (interview.candidate?.id === me.id) return 'candidate'
  return null
}

export function partnerOf(interview: Pick<InterviewDetail, 'interviewer' | 'candidate'>, me: Me): PersonRef {
  return roleOf(interview, me) === 'interviewer' ? interview.candidate : interview.interviewer
}

export const STATUS_LABELS: Record<string, string> = {
  scheduled: 'Scheduled',
  live: 'Live now',
  completed: 'Completed',
  cancelled: 'Cancelled',
  no_show: 'No-show',
}

export function useInterview(id: number) {
  return useQuery({
    queryKey: ['interview', id],
    queryFn: () => api.get<InterviewDetail>(`/api/interviews/${id}/`),
  })
}

export function useRubric() {
  return useQuery({ queryKey: ['rubric', 'current'], queryFn: () => api.get<Rubric>('/api/rubrics/current/'), staleTime: Infinity })
}
