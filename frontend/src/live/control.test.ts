import { describe, expect, it } from 'vitest'
import { applyControlMessage, INITIAL_CONTROL, sessionView } from './control'

describe('applyControlMessage', () => {
  it('takes a full snapshot with presence and the server clock', () => {
    const now = Date.parse('2026-06-01T10:00:00Z')
    const { state } = applyControlMessage(
      INITIAL_CONTROL,
      {
        type: 'state',
        status: 'live',
        current_step: 2,
        step_started_at: '2026-06-01T09:58:00Z',
        started_at: '2026-06-01T09:50:00Z',
        server_time: '2026-06-01T10:00:01Z',
        presence: [{ user_id: 4, display_name: 'Ivy', role: 'interviewer' }],
      },
      now,
    )
    expect(state).toMatchObject({ status: 'live', currentStep: 2, serverOffsetMs: 1000 })
    expect(state.presence).toEqual([{ userId: 4, name: 'Ivy', role: 'interviewer' }])
  })

  it('keeps what a small event does not mention', () => {
    const first = applyControlMessage(INITIAL_CONTROL, { status: 'live', current_step: 1, presence: [] }, 0).state
    const { state } = applyControlMessage(first, { type: 'presence', presence: [{ user_id: 1, name: 'Carl', role: 'candidate' }] }, 0)
    expect(state.currentStep).toBe(1)
    expect(state.presence).toHaveLength(1)
  })

  it('reports a refusal without changing the state', () => {
    const { state, error } = applyControlMessage(INITIAL_CONTROL, { type: 'error', code: 'forbidden', message: 'Only the interviewer can change the step.' }, 0)
    expect(state).toBe(INITIAL_CONTROL)
    expect(error).toBe('Only the interviewer can change the step.')
  })

  it('ignores what is not an object', () => {
    expect(applyControlMessage(INITIAL_CONTROL, 'hello', 0).state).toBe(INITIAL_CONTROL)
  })
})

describe('sessionView', () => {
  const loaded = { status: 'live', current_step: 2, started_at: '2026-06-01T09:50:00Z', ended_at: null }

  it('shows what the page loaded until the control channel speaks', () => {
    expect(sessionView(INITIAL_CONTROL, loaded)).toEqual({ status: 'live', currentStep: 2, startedAt: '2026-06-01T09:50:00Z', endedAt: null })
  })

  it('keeps the step the interview ended on instead of the one shown at page load', () => {
    const end = { type: 'state', status: 'completed', current_step: 5, started_at: '2026-06-01T09:50:00Z', ended_at: '2026-06-01T10:20:00Z' }
    const ended = applyControlMessage(INITIAL_CONTROL, end, 0).state
    expect(sessionView(ended, loaded)).toMatchObject({ status: 'completed', currentStep: 5, endedAt: '2026-06-01T10:20:00Z' })
    // Even a server that says "no step" must not bring back step 2 from the page load.
    const stepless = applyControlMessage(INITIAL_CONTROL, { ...end, current_step: null }, 0).state
    expect(sessionView(stepless, loaded).currentStep).toBeNull()
  })
})
