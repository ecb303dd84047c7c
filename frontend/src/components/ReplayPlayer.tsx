// One player for both voices of a recorded interview. The player keeps its own clock (the
// position on the interview clock, in ms) and puts each <audio> where that clock says: playing
// inside its track's stretch, paused outside it, put back when it drifts. Silence between and
// around the tracks is played by the clock alone, so the notes keep moving through it.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { formatClock } from '../lib/time'
import { clamp, drifted, spanOf, voicesOf, voiceTime, type Recording, type Span, type Voice } from '../lib/playback'

/** How often the position on screen (and with it the notes) follows the clock while playing. */
const TICK_MS = 200

const SPEAKERS: Record<string, string> = { interviewer: 'Interviewer', candidate: 'Candidate' }

export interface Playback {
  positionMs: number
  playing: boolean
  span: Span | null
  /** Move the clock (and both tracks) to a position; `andPlay` starts playing from there. */
  seek: (positionMs: number, andPlay?: boolean) => void
  play: () => void
  pause: () => void
  /** The <audio> element of each role, as the player renders them. */
  audios: React.MutableRefObject<Record<string, HTMLAudioElement | null>>
  /** Called once a track's length is known. */
  learnDuration: (role: string, durationMs: number) => void
}

export function usePlayback(recording: Recording | undefined): Playback & { voices: Voice[] } {
  const [durations, setDurations] = useState<Record<string, number>>({})
  const voices = useMemo(() => (recording ? voicesOf(recording, durations) : []), [recording, durations])
  const span = useMemo(() => spanOf(voices), [voices])
  const [positionMs, setPosition] = useState<number | null>(null)
  const [playing, setPlaying] = useState(false)
  const audios = useRef<Record<string, HTMLAudioElement | null>>({})
  // While playing: the position the clock had at a moment of performance.now().
  const clock = useRef({ atMs: 0, since: 0 })
  const position = positionMs ?? span?.startMs ?? 0

  const place = useCallback(
    (atMs: number, play: boolean, force: boolean) => {
      for (const voice of voices) {
        const audio = audios.current[voice.role]
        if (!audio) continue
        const seconds = voiceTime(voice, atMs)
        if (seconds === null) {
          if (!audio.paused) audio.pause()
          // Before its start the track waits at its beginning for the clock to reach it.
          if (force && atMs < voice.startMs && audio.currentTime !== 0) audio.currentTime = 0
          continue
        }
        if (force || drifted(audio.currentTime, seconds)) audio.currentTime = seconds
        if (play && audio.paused) audio.play()?.catch(() => undefined)
        if (!play && !audio.paused) audio.pause()
      }
    },
    [voices],
  )

  const seek = useCallback(
    (atMs: number, andPlay = false) => {
      const to = span ? clamp(span, atMs) : atMs
      clock.current = { atMs: to, since: performance.now() }
      setPosition(to)
      if (andPlay && span && to < span.endMs) setPlaying(true)
      place(to, playing || andPlay, true)
    },
    [span, place, playing],
  )

  const play = useCallback(() => {
    if (!span) return
    const from = position >= span.endMs ? span.startMs : position
    clock.current = { atMs: from, since: performance.now() }
    setPosition(from)
    setPlaying(true)
    place(from, true, true)
  }, [span, position, place])

  const pause = useCallback(() => {
    setPlaying(false)
    place(position, false, false)
  }, [place, position])

  useEffect(() => {
    if (!playing || !span) return
    const timer = window.setInterval(() => {
      const now = clock.current.atMs + (performance.now() - clock.current.since)
      if (now >= span.endMs) {
        setPosition(span.endMs)
        setPlaying(false)
        place(span.endMs, false, false)
        return
      }
      setPosition(now)
      place(now, true, false)
    }, TICK_MS)
    return () => window.clearInterval(timer)
  }, [playing, span, place])

  const learnDuration = useCallback((role: string, durationMs: number) => {
    setDurations((known) => (known[role] === durationMs ? known : { ...known, [role]: durationMs }))
  }, [])

  return { positionMs: position, playing, span, seek, play, pause, audios, learnDuration, voices }
}

/** Find a track's length: a recorder's WebM says none until the browser has read to its end. */
function measure(audio: HTMLAudioElement, learn: (durationMs: number) => void) {
  if (Number.isFinite(audio.duration)) {
    learn(audio.duration * 1000)
    return
  }
  const found = () => {
    if (!Number.isFinite(audio.duration)) return
    audio.removeEventListener('durationchange', found)
    learn(audio.duration * 1000)
    audio.currentTime = 0
  }
  audio.addEventListener('durationchange', found)
  // Seeking far past the end makes the browser read the whole track and learn its length.
  audio.currentTime = 1e101
}

export function ReplayPlayer({ playback }: { playback: Playback & { voices: Voice[] } }) {
  const { positionMs, playing, span, seek, play, pause, audios, learnDuration, voices } = playback
  if (!span) return null
  return (
    <div className="card replay-player" data-testid="replay-player">
      <div className="actions">
        <button type="button" onClick={playing ? pause : play}>
          {playing ? 'Pause' : 'Play'}
        </button>
        <span data-testid="replay-clock" aria-live="off">
          {formatClock(positionMs / 1000)} / {formatClock(span.endMs / 1000)}
        </span>
      </div>
      <input
        type="range"
        aria-label="Position in the recording"
        // Whole tenths of a second on the clock: a range snaps its value to min + k × step.
        min={Math.floor(span.startMs / 100) * 100}
        max={Math.ceil(span.endMs / 100) * 100}
        step={100}
        value={Math.round(positionMs)}
        onChange={(e) => seek(Number(e.target.value))}
      />
      <p className="muted">
        {voices
          .map((voice) => `${SPEAKERS[voice.role] ?? voice.role} from ${formatClock(voice.startMs / 1000)}`)
          .join(' · ')}
      </p>
      {voices.map((voice) => (
        <audio
          key={voice.role}
          ref={(element) => {
            audios.current[voice.role] = element
          }}
          src={voice.url}
          preload="auto"
          data-testid={`voice-${voice.role}`}
          onLoadedMetadata={(e) => measure(e.currentTarget, (ms) => learnDuration(voice.role, ms))}
        />
      ))}
    </div>
  )
}
