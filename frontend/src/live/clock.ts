// The step timer: server timestamps, corrected for the difference between the server's clock
// and this machine's, so both participants see the same numbers.

export interface StepClockInput {
  stepStartedAt: string | null
  startedAt: string | null
  /** Once the interview has ended the clock reads as it stood at the end, for good. */
  endedAt?: string | null
  budgetSeconds: number
  serverOffsetMs: number // server time minus local time
}

export interface StepClock {
  onStepSeconds: number
  remainingSeconds: number
  overBudget: boolean
  totalSeconds: number
}

export function stepClock(input: StepClockInput, nowMs: number): StepClock {
  const ended = input.endedAt ? Date.parse(input.endedAt) : Number.NaN
  const serverNow = Number.isNaN(ended) ? nowMs + input.serverOffsetMs : ended
  const since = (iso: string | null) => (iso ? Math.max(0, (serverNow - Date.parse(iso)) / 1000) : 0)
  const onStepSeconds = Math.floor(since(input.stepStartedAt))
  return {
    onStepSeconds,
    remainingSeconds: input.budgetSeconds - onStepSeconds,
    overBudget: onStepSeconds > input.budgetSeconds,
    totalSeconds: Math.floor(since(input.startedAt)),
  }
}

/** Server minus local clock, from a server timestamp received at local time `receivedAtMs`. */
export function serverOffset(serverTime: string | null | undefined, receivedAtMs: number): number {
  if (!serverTime) return 0
  const parsed = Date.parse(serverTime)
  return Number.isNaN(parsed) ? 0 : parsed - receivedAtMs
}
