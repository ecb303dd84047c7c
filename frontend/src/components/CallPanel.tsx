// The call in the room: join with the microphone, mute, camera, device pickers, who is
// speaking, how good the connection is. Without the call (no permission, no device, a failed
// connection) it says why, and the notes, board and rubric are untouched.
// Recording: each person turns "Record this interview" on or off; both screens show when it
// runs (both consented), and then each browser records and uploads its own microphone.
import { useEffect, useRef, useState } from 'react'
import { api, ApiError } from '../api/client'
import { CallSession, qualityFromStats, type CallConfig, type CallQuality, type CallSnapshot } from '../live/call'
import { setConsent, startRecorder, uploadSlice, UploadQueue, type RecordingState } from '../live/recording'
import { wsOrigin } from '../live/useLiveDocument'

const PHASE_WORDS: Record<CallSnapshot['phase'], string> = {
  idle: 'Not in the call',
  starting: 'Asking for your microphone…',
  waiting: 'Waiting for your partner to join the call',
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  failed: 'Call unavailable',
}

/** How loud a stream is right now (0–1), sampled a few times a second. */
function useLevel(stream: MediaStream | null): number {
  const [level, setLevel] = useState(0)
  useEffect(() => {
    if (!stream || stream.getAudioTracks().length === 0 || typeof AudioContext === 'undefined') return
    const context = new AudioContext()
    const source = context.createMediaStreamSource(stream)
    const analyser = context.createAnalyser()
    analyser.fftSize = 512
    source.connect(analyser)
    const samples = new Uint8Array(analyser.fftSize)
    const timer = setInterval(() => {
      analyser.getByteTimeDomainData(samples)
      let sum = 0
      for (const sample of samples) sum += ((sample - 128) / 128) ** 2
      setLevel(Math.sqrt(sum / samples.length))
    }, 200)
    return () => {
      clearInterval(timer)
      source.disconnect()
      void context.close()
    }
  }, [stream, stream?.getAudioTracks().length])
  return level
}

const SPEAKING = 0.02

function useQuality(session: CallSession | null, connected: boolean): CallQuality | null {
  const [quality, setQuality] = useState<CallQuality | null>(null)
  useEffect(() => {
    if (!session || !connected) {
      setQuality(null)
      return
    }
    const timer = setInterval(async () => {
      const pc = session.peerConnection
      if (pc) setQuality(qualityFromStats(await pc.getStats()))
    }, 1000)
    return () => clearInterval(timer)
  }, [session, connected])
  return quality
}

function useDevices(active: boolean): MediaDeviceInfo[] {
  const [devices, setDevices] = useState<MediaDeviceInfo[]>([])
  useEffect(() => {
    if (!active || !navigator.mediaDevices?.enumerateDevices) return
    const read = () => navigator.mediaDevices.enumerateDevices().then(setDevices, () => setDevices([]))
    read()
    navigator.mediaDevices.addEventListener?.('devicechange', read)
    return () => navigator.mediaDevices.removeEventListener?.('devicechange', read)
  }, [active])
  return devices
}

function MediaView({ stream, muted, className, label }: { stream: MediaStream | null; muted: boolean; className: string; label: string }) {
  const ref = useRef<HTMLVideoElement | null>(null)
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream
  }, [stream])
  return <video ref={ref} className={className} autoPlay playsInline muted={muted} aria-label={label} />
}

interface RecordingProps {
  interviewId: number
  role: string | null
  recording: RecordingState | null
  stream: MediaStream | null
  clockOrigin: string | null
  serverOffsetMs: number
}

/** Record the own microphone while recording is active and the microphone is on. */
function useRecorder({ interviewId, recording, stream, clockOrigin, serverOffsetMs }: RecordingProps): string | null {
  const [problem, setProblem] = useState<string | null>(null)
  const clock = useRef({ clockOrigin, serverOffsetMs })
  clock.current = { clockOrigin, serverOffsetMs }
  const active = recording?.active === true && stream !== null
  useEffect(() => {
    if (!active || !stream) return
    if (typeof MediaRecorder === 'undefined') {
      setProblem('This browser cannot record; the call goes on unrecorded.')
      return
    }
    const queue = new UploadQueue({
      upload: uploadSlice(interviewId),
      onError: (error) => setProblem(error.message),
    })
    let stop: () => void = () => {}
    try {
      setProblem(null)
      stop = startRecorder({
        interviewId,
        stream,
        queue,
        clockMs: () => {
          const origin = clock.current.clockOrigin ? Date.parse(clock.current.clockOrigin) : NaN
          return Number.isNaN(origin) ? null : Date.now() + clock.current.serverOffsetMs - origin
        },
      })
    } catch (error) {
      setProblem(error instanceof Error ? error.message : 'Recording could not start.')
    }
    // Stopping flushes the recorder's last slice into the queue, which keeps sending it.
    return () => stop()
  }, [active, stream, interviewId])
  return problem
}

function RecordingControls(props: RecordingProps) {
  const { interviewId, role } = props
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  // The server's answer to my own change shows at once; the control channel's next state,
  // which both screens get, replaces it.
  const [answered, setAnswered] = useState<RecordingState | null>(null)
  useEffect(() => setAnswered(null), [props.recording])
  const recording = answered ?? props.recording
  const problem = useRecorder({ ...props, recording })
  const mine = role === 'interviewer' || role === 'candidate' ? (recording?.consented[role] ?? false) : false
  const theirs = role === 'interviewer' ? recording?.consented.candidate : recording?.consented.interviewer

  async function toggle() {
    setBusy(true)
    setError(null)
    try {
      setAnswered(await setConsent(interviewId, !mine))
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'Could not change recording consent.')
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="call-recording">
      <label>
        <input type="checkbox" checked={mine} disabled={busy || !role || recording === null} onChange={() => void toggle()} data-testid="recording-consent" /> Record this interview
      </label>
      {recording?.active ? (
        <span className="badge bad" role="status" data-testid="recording-indicator">
          ● Recording
        </span>
      ) : (
        <span className="muted" data-testid="recording-waiting">
          {mine && !theirs ? 'Waiting for your partner to agree to recording' : !mine && theirs ? 'Your partner would like to record' : 'Not recording'}
        </span>
      )}
      {(error ?? problem) && (
        <p className="error" role="alert">
          {error ?? problem}
        </p>
      )}
    </div>
  )
}

interface CallPanelProps {
  interviewId: number
  partnerName: string
  /** Whose consent the toggle is: interviewer or candidate. */
  role?: string | null
  recording?: RecordingState | null
  clockOrigin?: string | null
  serverOffsetMs?: number
}

export function CallPanel({ interviewId, partnerName, role = null, recording = null, clockOrigin = null, serverOffsetMs = 0 }: CallPanelProps) {
  const [snapshot, setSnapshot] = useState<CallSnapshot | null>(null)
  const [session, setSession] = useState<CallSession | null>(null)
  const [error, setError] = useState<string | null>(null)
  const phase = snapshot?.phase ?? 'idle'
  const inCall = phase !== 'idle' && phase !== 'failed'
  const myLevel = useLevel(inCall ? snapshot?.localStream ?? null : null)
  const partnerLevel = useLevel(phase === 'connected' ? snapshot?.remoteStream ?? null : null)
  const quality = useQuality(session, phase === 'connected')
  const devices = useDevices(inCall)

  useEffect(() => () => session?.leave(), [session])

  async function join() {
    setError(null)
    if (!navigator.mediaDevices?.getUserMedia || typeof RTCPeerConnection === 'undefined') {
      setError('This browser cannot place calls. The notes, board and rubric keep working.')
      return
    }
    let config: CallConfig
    try {
      config = await api.get('/api/interviews/{interview_id}/call/', { path: { interview_id: interviewId } })
    } catch (e) {
      setError(e instanceof Error ? e.message : 'The call is not available.')
      return
    }
    const params = new URLSearchParams(window.location.search)
    const next = new CallSession({
      wsUrl: `${wsOrigin()}${config.signalling_path}`,
      config,
      getUserMedia: (constraints) => navigator.mediaDevices.getUserMedia(constraints),
      createPeerConnection: (rtc) => new RTCPeerConnection(rtc),
      // ?relay=1 forces the TURN relay: for checking a deployment's relay from a browser.
      iceTransportPolicy: params.get('relay') === '1' ? 'relay' : 'all',
      onChange: setSnapshot,
    })
    setSession(next)
    await next.join()
  }

  function leave() {
    session?.leave()
    setSession(null)
  }

  const partner = snapshot?.partnerMedia
  const message = error ?? snapshot?.error ?? null
  const microphones = devices.filter((d) => d.kind === 'audioinput')
  const cameras = devices.filter((d) => d.kind === 'videoinput')
  const tone = phase === 'connected' ? 'ok' : phase === 'failed' ? 'bad' : inCall ? 'warn' : 'info'

  return (
    <section className="call" aria-label="Call" data-testid="call">
      <div className="call-bar">
        <span className={`badge ${tone}`} role="status" aria-live="polite" data-testid="call-status">
          {PHASE_WORDS[phase]}
        </span>
        {!inCall ? (
          <button type="button" className="primary" onClick={join}>
            {phase === 'failed' ? 'Try the call again' : 'Join call'}
          </button>
        ) : (
          <>
            <button type="button" aria-pressed={snapshot?.muted ?? false} onClick={() => session?.setMuted(!snapshot?.muted)}>
              {snapshot?.muted ? 'Unmute' : 'Mute'}
            </button>
            <button type="button" aria-pressed={snapshot?.camera ?? false} onClick={() => session?.setCamera(!snapshot?.camera)}>
              {snapshot?.camera ? 'Camera off' : 'Camera on'}
            </button>
            <button type="button" onClick={() => session?.reconnect()} title="Reconnect the call">
              Reconnect
            </button>
            <button type="button" className="danger" onClick={leave}>
              Leave call
            </button>
          </>
        )}
        {inCall && (
          <ul className="speakers" aria-label="Who is speaking">
            <li className={myLevel > SPEAKING && !snapshot?.muted ? 'speaking' : ''} data-testid="me-speaking">
              You{snapshot?.muted ? ' (muted)' : ''}
            </li>
            {phase === 'connected' && (
              <li className={partnerLevel > SPEAKING ? 'speaking' : ''} data-testid="partner-speaking">
                {partnerName}
                {partner && !partner.audio ? ' (muted)' : ''}
              </li>
            )}
          </ul>
        )}
        {quality && (
          <span
            className={`badge ${quality.label === 'good' ? 'ok' : quality.label === 'fair' ? 'warn' : quality.label === 'poor' ? 'bad' : 'info'}`}
            data-testid="call-quality"
            data-inbound-audio-bytes={quality.inboundAudioBytes}
            data-inbound-audio-level={quality.inboundAudioLevel ?? ''}
            data-candidate-type={quality.localCandidateType ?? ''}
            title={`${quality.localCandidateType === 'relay' ? 'Through a relay · ' : ''}Round trip ${quality.rttMs === null ? '–' : Math.round(quality.rttMs)} ms · loss ${quality.lossPercent === null ? '–' : quality.lossPercent.toFixed(1)} %`}
          >
            {quality.label === 'unknown' ? 'Measuring…' : `${quality.label[0].toUpperCase()}${quality.label.slice(1)} connection`}
          </span>
        )}
      </div>
      <RecordingControls
        interviewId={interviewId}
        role={role}
        recording={recording}
        stream={inCall ? (snapshot?.localStream ?? null) : null}
        clockOrigin={clockOrigin}
        serverOffsetMs={serverOffsetMs}
      />
      {message && (
        <p className="error" role="alert">
          {message}
        </p>
      )}
      {inCall && (microphones.length > 1 || cameras.length > 0) && (
        <div className="call-devices">
          {microphones.length > 1 && (
            <label>
              Microphone{' '}
              <select onChange={(e) => void session?.useDevice('audio', e.target.value)} defaultValue="">
                <option value="" disabled>
                  Choose…
                </option>
                {microphones.map((d, i) => (
                  <option key={d.deviceId || i} value={d.deviceId}>
                    {d.label || `Microphone ${i + 1}`}
                  </option>
                ))}
              </select>
            </label>
          )}
          {snapshot?.camera && cameras.length > 1 && (
            <label>
              Camera{' '}
              <select onChange={(e) => void session?.useDevice('video', e.target.value)} defaultValue="">
                <option value="" disabled>
                  Choose…
                </option>
                {cameras.map((d, i) => (
                  <option key={d.deviceId || i} value={d.deviceId}>
                    {d.label || `Camera ${i + 1}`}
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>
      )}
      {inCall && (
        <div className="call-media">
          <MediaView stream={snapshot?.remoteStream ?? null} muted={false} className={partner?.video ? 'partner-video' : 'partner-audio'} label={`${partnerName}'s call`} />
          {snapshot?.camera && <MediaView stream={snapshot.localStream} muted className="self-video" label="Your camera" />}
        </div>
      )}
    </section>
  )
}
