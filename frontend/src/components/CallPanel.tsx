// The call in the room: join with the microphone, mute, camera, device pickers, who is
// speaking, how good the connection is. Without the call (no permission, no device, a failed
// connection) it says why, and the notes, board and rubric are untouched.
import { useEffect, useRef, useState } from 'react'
import { api } from '../api/client'
import { CallSession, qualityFromStats, type CallConfig, type CallQuality, type CallSnapshot } from '../live/call'
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

export function CallPanel({ interviewId, partnerName }: { interviewId: number; partnerName: string }) {
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
      config = await api.get<CallConfig>(`/api/interviews/${interviewId}/call/`)
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
