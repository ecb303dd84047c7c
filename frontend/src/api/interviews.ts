// Interviews as the scheduling API returns them, read through small helpers so the pages do
// not depend on every detail of the shape.
import { useQuery } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import { api } from './client'
import type { components } from './schema'
import type { Me } from './types'
import { keys } from './queries'

export type PersonRef = components['schemas']['PersonOutput']
export type InterviewSummary = components['schemas']['InterviewOutput']
export type InterviewDetail = components['schemas']['InterviewDetailOutput']
export type GuideStep = { covers?: string[]; follow_ups?: string[]; red_flags?: string[] }

/** The interviewer guide of one step, when the API shows it to this user. */
export function guideFor(interview: InterviewDetail, step: number): GuideStep | null {
  const guide = interview.guide as Record<string, GuideStep> | null | undefined
  return guide?.[String(step)] ?? null
}

/** The guide of one step as the room shows it: never before the room opens, even when the API
 * already sends it for the interviewer's preparation view (the interview page shows that). */
export function roomGuideFor(
  interview: InterviewDetail,
  step: number,
  now: number = Date.now(),
): GuideStep | null {
  const notYet = interview.status === 'scheduled' && now < Date.parse(interview.room_opens_at)
  return notYet ? null : guideFor(interview, step)
}

export function roleOf(interview: Pick<InterviewDetail, 'interviewer' | 'candidate'>, me: Me): 'interviewer' | 'candidate' | null {
  if (interview.interviewer?.id === me.id) return 'interviewer'
  if (interview.candidate?.id === me.id) return 'candidate'
  return null
}

export function partnerOf(interview: Pick<InterviewDetail, 'interviewer' | 'candidate'>, me: Me): PersonRef {
  return roleOf(interview, me) === 'interviewer' ? interview.candidate : interview.interviewer
}

/** An interview's status, as the API's schema enumerates it. */
export type InterviewStatus = components['schemas']['InterviewStatusEnum']

/** Every status in words: a status the schema adds or drops fails the build until it is named here. */
export const STATUS_LABELS = {
  scheduled: 'Scheduled',
  live: 'Live now',
  completed: 'Completed',
  cancelled: 'Cancelled',
  no_show: 'No-show',
} as const satisfies Record<InterviewStatus, string>

export function isInterviewStatus(value: unknown): value is InterviewStatus {
  return typeof value === 'string' && Object.hasOwn(STATUS_LABELS, value)
}

/** A status in words; one this app does not know yet is shown as the server sent it. */
export function statusLabel(status: string | null | undefined): string | null | undefined {
  return isInterviewStatus(status) ? STATUS_LABELS[status] : status
}

/** When an interview really ran, if it did: the past list shows what happened, not the booking. */
export function heldTimes(interview: Pick<InterviewSummary, 'started_at' | 'ended_at'>): { from: string; to: string } | null {
  return interview.started_at && interview.ended_at ? { from: interview.started_at, to: interview.ended_at } : null
}

type RoomTiming = Pick<InterviewSummary, 'status' | 'room_opens_at'>

/** Whether the live room lets the participants in now; the server sends when it opens. */
export function roomIsOpen(interview: RoomTiming, now: number = Date.now()): boolean {
  return interview.status === 'live' || (interview.status === 'scheduled' && now >= Date.parse(interview.room_opens_at))
}

// setTimeout fires at once for delays past 2^31 - 1 ms (about 24 days).
const MAX_TIMER_MS = 2 ** 31 - 1

/** roomIsOpen, looked at again the moment the room opens, so "Join" appears by itself. */
export function useRoomOpen(interview: RoomTiming): boolean {
  const [now, setNow] = useState(() => Date.now())
  const opensAt = Date.parse(interview.room_opens_at)
  useEffect(() => {
    const wait = opensAt - Date.now()
    if (!(wait > 0)) return
    const timer = setTimeout(() => setNow(Date.now()), Math.min(wait + 100, MAX_TIMER_MS))
    return () => clearTimeout(timer)
  }, [opensAt, now])
  return roomIsOpen(interview, now)
}

export function useInterview(id: number) {
  return useQuery({
    queryKey: keys.interview(id),
    queryFn: () => api.get('/api/interviews/{id}/', { path: { id } }),
  })
}

/** Go on from the ended first half of a swap to the second, which the server opens at once. */
export function continueToSecondHalf(interviewId: number): Promise<InterviewSummary> {
  return api.post('/api/interviews/{id}/continue/', { path: { id: interviewId } })
}

/** What the ended first half of a swap says about the second: the roles reverse. */
export function secondHalfText(interview: Pick<InterviewDetail, 'interviewer' | 'candidate'>, me: Me): string {
  return roleOf(interview, me) === 'interviewer'
    ? `Now ${interview.candidate.display_name} interviews you, on a question new to you.`
    : `Now you interview ${interview.interviewer.display_name}, on a question new to them.`
}

export function useRubric() {
  return useQuery({ queryKey: keys.rubric, queryFn: () => api.get('/api/rubrics/current/'), staleTime: Infinity })
}
