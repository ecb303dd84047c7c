// Interviews as the scheduling API returns them, read through small helpers so the pages do
// not depend on every detail of the shape.
import { useQuery } from '@tanstack/react-query'
import { api } from './client'
import type { Me, Rubric } from './types'

export interface PersonRef {
  id: number
  display_name: string
}

export interface GuideStep {
  covers?: string[]
  follow_ups?: string[]
  red_flags?: string[]
}

export interface InterviewDetail {
  id: number
  status: 'scheduled' | 'live' | 'completed' | 'cancelled' | 'no_show'
  starts_at: string
  ends_at: string
  interviewer: PersonRef
  candidate: PersonRef
  question: { id: number; title: string; prompt?: string; domain?: string; level?: string; guide?: Record<string, GuideStep> | null }
  current_step?: number | null
  started_at?: string | null
  ended_at?: string | null
  cancel_reason?: string
  my_role?: 'interviewer' | 'candidate'
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
