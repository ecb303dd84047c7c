import { QueryClient, useQuery } from '@tanstack/react-query'
import { ApiError, api } from './client'
import type { Me } from './types'

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // A 4xx will not fix itself by asking again; a dropped connection might.
      retry: (failures, error) =>
        failures < 2 && !(error instanceof ApiError && error.status >= 400 && error.status < 500),
      refetchOnWindowFocus: false,
      staleTime: 10_000,
    },
  },
})

/**
 * Every query key the app uses, in one place: a page reads and invalidates through these, so a
 * key cannot be spelled two ways. A prefix (keys.reports, keys.interviews) invalidates all below it.
 */
export const keys = {
  me: ['me'] as const,
  asInterviewer: ['me', 'as-interviewer'] as const,
  framework: ['framework'] as const,
  rubric: ['rubric', 'current'] as const,
  agenda: ['agenda'] as const,
  providers: ['auth', 'providers'] as const,
  sessions: ['auth', 'sessions'] as const,
  tokens: ['auth', 'tokens'] as const,
  linked: ['auth', 'social'] as const,
  calendarFeed: ['calendar-feed'] as const,
  availability: ['availability'] as const,
  interviewRequests: ['interview-requests'] as const,
  interviews: ['interviews'] as const,
  interviewList: (when: string, page: number) => ['interviews', when, page] as const,
  interview: (id: number) => ['interview', id] as const,
  freeTimes: (id: number) => ['interview', id, 'free-times'] as const,
  submissions: (interviewId: number) => ['submissions', interviewId] as const,
  scorecard: (interviewId: number) => ['scorecard', interviewId] as const,
  feedback: (interviewId: number) => ['feedback', interviewId] as const,
  notes: (interviewId: number) => ['notes', interviewId] as const,
  reports: ['report'] as const,
  report: ['report', 'me'] as const,
  reportHistory: ['report', 'history'] as const,
  replay: (interviewId: number) => ['replay', interviewId] as const,
  replayRecording: (interviewId: number) => ['replay-recording', interviewId] as const,
  replayScores: (interviewId: number) => ['replay-scores', interviewId] as const,
}

/** The logged-in user, or null when nobody is logged in. */
export function useMe() {
  return useQuery({
    queryKey: keys.me,
    // The signal lets a newer answer (after verifying the email, say) cancel an older one in flight.
    // whoami answers null rather than a 403 before login, so a logged-out page logs no error.
    queryFn: async ({ signal }): Promise<Me | null> => (await api.get('/api/auth/whoami/', { signal })).user,
    staleTime: 60_000,
  })
}

export function useFramework() {
  return useQuery({
    queryKey: keys.framework,
    queryFn: () => api.get('/api/framework/'),
    staleTime: Infinity,
  })
}

/** Label for an enumeration value, falling back to the raw value. */
export function labelOf(choices: readonly { value: string; label: string }[] | undefined, value: string): string {
  return choices?.find((choice) => choice.value === value)?.label ?? value
}
