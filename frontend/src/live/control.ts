// The room's control channel: who is here, the current step and its clock, and the
// interviewer's authority actions, which the server checks, timestamps and broadcasts.
import { useCallback, useEffect, useRef, useState } from 'react'
import { serverOffset } from './clock'
import { closeReason, type ChannelStatus } from './connection'
import { recordingFrom, type RecordingState } from './recording'
import { ReconnectingSocket } from './socket'
import { wsOrigin } from './useLiveDocument'

export interface PresenceEntry {
  userId: number
  name: string
  role: string
}

export interface ControlState {
  status: string | null
  currentStep: number | null
  stepStartedAt: string | null
  startedAt: string | null
  endedAt: string | null
  presence: PresenceEntry[]
  serverOffsetMs: number
  recording: RecordingState | null
}

export const INITIAL_CONTROL: ControlState = {
  status: null,
  currentStep: null,
  stepStartedAt: null,
  startedAt: null,
  endedAt: null,
  presence: [],
  serverOffsetMs: 0,
  recording: null,
}

export type ControlAction = { type: 'start' } | { type: 'next_step' } | { type: 'goto_step'; step: number } | { type: 'end' }

type Json = Record<string, unknown>

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null
}

function num(value: unknown): number | null {
  return typeof value === 'number' ? value : null
}

function presenceFrom(value: unknown): PresenceEntry[] | null {
  if (!Array.isArray(value)) return null
  return value
    .filter((p): p is Json => !!p && typeof p === 'object')
    .map((p) => ({
      userId: num(p.user_id) ?? num(p.id) ?? 0,
      name: str(p.display_name) ?? str(p.name) ?? 'Someone',
      role: str(p.role) ?? '',
    }))
}

/**
 * Fold one server message into the state. Unknown fields are ignored and missing ones keep
 * their value, so a full snapshot and a small event both work.
 */
export function applyControlMessage(state: ControlState, message: unknown, receivedAtMs: number): { state: ControlState; error: string | null } {
  if (!message || typeof message !== 'object') return { state, error: null }
  const m = message as Json
  if (m.type === 'error') {
    return { state, error: str(m.message) ?? 'The room refused that action.' }
  }
  const body = (m.state && typeof m.state === 'object' ? m.state : m) as Json
  const next: ControlState = { ...state }
  if ('status' in body) next.status = str(body.status)
  if ('current_step' in body) next.currentStep = num(body.current_step)
  if ('step' in body && m.type === 'step') next.currentStep = num(body.step)
  if ('step_started_at' in body) next.stepStartedAt = str(body.step_started_at)
  if ('started_at' in body) next.startedAt = str(body.started_at)
  if ('ended_at' in body) next.endedAt = str(body.ended_at)
  if ('recording' in body) next.recording = recordingFrom(body.recording)
  const presence = presenceFrom(body.presence)
  if (presence) next.presence = presence
  const serverTime = str(body.server_time) ?? str(m.server_time) ?? str(body.now)
  if (serverTime) next.serverOffsetMs = serverOffset(serverTime, receivedAtMs)
  return { state: next, error: null }
}

/** What the page loaded about the session, before the control channel has spoken. */
export interface LoadedSession {
  status?: string | null
  current_step?: number | null
  started_at?: string | null
  ended_at?: string | null
}

export interface SessionView {
  status: string
  currentStep: number | null
  startedAt: string | null
  endedAt: string | null
}

/**
 * The session as the room shows it: the page's copy until the first snapshot arrives, then
 * only the server's word. Falling back field by field would bring back the step shown at page
 * load whenever the server says "no step" (as it does for an interview that has ended).
 */
export function sessionView(state: ControlState, loaded: LoadedSession): SessionView {
  if (state.status === null) {
    return {
      status: loaded.status ?? 'scheduled',
      currentStep: loaded.current_step ?? null,
      startedAt: loaded.started_at ?? null,
      endedAt: loaded.ended_at ?? null,
    }
  }
  return { status: state.status, currentStep: state.currentStep, startedAt: state.startedAt, endedAt: state.endedAt }
}

/** Join the room's control channel; `enabled` false (the room is not open yet) stays away. */
export function useControl(interviewId: number, enabled = true) {
  const [state, setState] = useState<ControlState>(INITIAL_CONTROL)
  const [status, setStatus] = useState<ChannelStatus>('connecting')
  const [closed, setClosed] = useState<string | null>(null)
  const [retrying, setRetrying] = useState<string | null>(null)
  const [actionError, setActionError] = useState<string | null>(null)
  const socket = useRef<ReconnectingSocket | null>(null)

  useEffect(() => {
    if (!enabled) return
    const connection = new ReconnectingSocket(`${wsOrigin()}/ws/interviews/${interviewId}/control`, {
      onMessage: (message) =>
        setState((current) => {
          const { state: next, error } = applyControlMessage(current, message, Date.now())
          if (error) setActionError(error)
          return next
        }),
      onStatus: (next, detail) => {
        setStatus(next)
        if (next === 'closed' && detail) setClosed(closeReason(detail.code, detail.reason))
        // A refusal that passes (room not open yet) is worth saying while we retry.
        if (next === 'connected') setRetrying(null)
        else if (next === 'disconnected' && detail && detail.code >= 4000) setRetrying(closeReason(detail.code))
      },
    })
    socket.current = connection
    const online = () => connection.reconnectNow()
    window.addEventListener('online', online)
    return () => {
      window.removeEventListener('online', online)
      connection.close()
      socket.current = null
    }
  }, [interviewId, enabled])

  const send = useCallback((action: ControlAction) => {
    setActionError(null)
    if (!socket.current?.send(action)) setActionError('Not connected to the room — wait for it to reconnect and try again.')
  }, [])

  return { state, status, closed, retrying, actionError, send }
}
