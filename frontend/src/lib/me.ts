import { createContext, useContext } from 'react'
import type { Me } from '../api/types'

export const MeContext = createContext<Me | null>(null)

/** The logged-in user; only valid below RequireAuth. */
export function useCurrentUser(): Me {
  const me = useContext(MeContext)
  if (!me) throw new Error('useCurrentUser outside RequireAuth')
  return me
}

/** The zone every time on screen is shown in. */
export function useTimeZone(): string {
  return useCurrentUser().profile.time_zone || 'UTC'
}
