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

export const keys = {
  me: ['me'] as const,
  framework: ['framework'] as const,
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
