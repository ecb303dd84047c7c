// The replay's voices on the interview clock. Each speaker's track starts where its first
// chunk began (ms after the clock's origin, the interview's start); the timeline's events
// sit on the same clock, so one position in ms says which moment of the notes to show and
// where in each track to be. Pure functions: the page owns the <audio> elements.
import type { components } from '../api/schema'
import type { ReplayEvent } from './replay'

export type Recording = components['schemas']['RecordingOutput']
export type RecordingTrack = components['schemas']['RecordingTrackOutput']

export interface Voice {
  role: string
  url: string
  startMs: number
  /** Unknown until the browser has read the track. */
  durationMs: number | null
}

export interface Span {
  startMs: number
  endMs: number
}

/** A track whose length is not known yet is taken to last this long, so the bar is usable. */
export const UNKNOWN_LENGTH_MS = 60_000

/** How far a track may drift from the clock before it is put back in place. */
export const DRIFT_MS = 300

/** Where each event (or moment) happened, in ms on the interview clock. */
export function eventOffsets(events: readonly Pick<ReplayEvent, 'at'>[], origin: string): number[] {
  const zero = Date.parse(origin)
  return events.map((event) => Date.parse(event.at) - zero)
}

/** The latest moment at or before `positionMs` (the first moment when none is). */
export function momentAt(offsets: readonly number[], positionMs: number): number {
  let found = 0
  offsets.forEach((offset, index) => {
    if (offset <= positionMs) found = index
  })
  return found
}

/** The step the interview was on at a moment: the latest step an event (or moment) up to it named. */
export function stepAt(events: readonly Pick<ReplayEvent, 'step'>[], index: number): number | null {
  for (let i = Math.min(index, events.length - 1); i >= 0; i--) {
    if (events[i].step !== null && events[i].step !== undefined) return events[i].step
  }
  return null
}

/** The event (or moment) where a step was first entered, or -1 when it never was. */
export function stepEntry(events: readonly Pick<ReplayEvent, 'kind' | 'step'>[], step: number): number {
  return events.findIndex((event) => event.kind === 'step_entered' && event.step === step)
}

export function voicesOf(recording: Recording, durationsMs: Record<string, number>): Voice[] {
  return recording.tracks.map((track) => ({
    role: track.role,
    url: track.url,
    startMs: track.start_offset_ms,
    durationMs: durationsMs[track.role] ?? null,
  }))
}

function endOf(voice: Voice): number {
  return voice.startMs + (voice.durationMs ?? UNKNOWN_LENGTH_MS)
}

/** The stretch of the clock the player covers: from the first voice's start to the last's end. */
export function spanOf(voices: readonly Voice[]): Span | null {
  if (!voices.length) return null
  return {
    startMs: Math.min(...voices.map((voice) => voice.startMs)),
    endMs: Math.max(...voices.map(endOf)),
  }
}

export function clamp(span: Span, positionMs: number): number {
  return Math.min(Math.max(positionMs, span.startMs), span.endMs)
}

/** Where a voice should be at a clock position, in seconds into its track; null outside it. */
export function voiceTime(voice: Voice, positionMs: number): number | null {
  if (positionMs < voice.startMs) return null
  if (voice.durationMs !== null && positionMs >= voice.startMs + voice.durationMs) return null
  return (positionMs - voice.startMs) / 1000
}

/** Whether a playing track is far enough from where the clock says to be put back. */
export function drifted(currentSeconds: number, wantedSeconds: number): boolean {
  return Math.abs(currentSeconds - wantedSeconds) * 1000 > DRIFT_MS
}
