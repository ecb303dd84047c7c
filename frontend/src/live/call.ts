// The call: a WebRTC peer connection between the two participants, signalled over the room's
// call socket (the server relays offers, answers and ICE candidates; media goes peer to peer).
//
// Perfect negotiation (as in the WebRTC spec's example): either side may offer at any time; on
// a collision the polite peer (the candidate) rolls back and takes the other's offer, the
// impolite one (the interviewer) ignores the incoming offer. Each call socket has a peer id:
// when the partner's id changes (they joined, reloaded or reconnected) this side starts a fresh
// peer connection, and only then, so a reload on either side simply rejoins while news that
// comes twice, or late from a partner already replaced, never resets a working negotiation.
//
// A fresh connection is offered by the impolite side only: the polite one adds its microphone
// with its answer. Both offering at once is legal (perfect negotiation resolves it), but
// Chromium, rolling back an offer whose ICE gathering has not yet produced a candidate, then
// gathers none for its answer, and the call never connects. A watchdog covers what is left:
// a connection not up after a while is restarted (ICE restart), the impolite side first.
import { ReconnectingSocket, type SocketStatus } from './socket'

/** How long a fresh connection may take before it is restarted (doubled for the polite side). */
export const CONNECT_TIMEOUT_MS = 6000
const MAX_CONNECT_ATTEMPTS = 4

export interface IceServer {
  urls: string[]
  username?: string
  credential?: string
}

export interface CallConfig {
  role: string
  polite: boolean
  ice_servers: IceServer[]
  credentials_expire_at: string | null
  signalling_path: string
  recording?: { consented: { interviewer: boolean; candidate: boolean }; active: boolean }
}

export type CallPhase =
  | 'idle' // not joined
  | 'starting' // asking for the microphone
  | 'waiting' // joined, the partner is not in the call
  | 'connecting' // both here, negotiating
  | 'connected'
  | 'reconnecting' // the connection dropped; renegotiating
  | 'failed'

export interface PeerMedia {
  audio: boolean
  video: boolean
}

export interface CallSnapshot {
  phase: CallPhase
  muted: boolean
  camera: boolean
  partnerMedia: PeerMedia | null
  localStream: MediaStream | null
  remoteStream: MediaStream | null
  error: string | null
  signalling: SocketStatus
}

export interface CallDeps {
  wsUrl: string
  config: CallConfig
  getUserMedia: (constraints: MediaStreamConstraints) => Promise<MediaStream>
  createPeerConnection: (config: RTCConfiguration) => RTCPeerConnection
  iceTransportPolicy?: RTCIceTransportPolicy
  WebSocketImpl?: typeof WebSocket
  onChange: (snapshot: CallSnapshot) => void
}

/** What the server relays from the partner carries the partner socket's peer id. */
type Relayed =
  | { type: 'offer' | 'answer'; sdp: string }
  | { type: 'candidate'; candidate: RTCIceCandidateInit | null }
  | { type: 'media'; audio: boolean; video: boolean }
  | { type: 'hangup' }

type Signal =
  | { type: 'welcome'; role: string; polite: boolean; id: string }
  | { type: 'peer'; present: boolean; id: string }
  | (Relayed & { from: string })

/** Say why the microphone could not be used, in words a person can act on. */
export function mediaErrorMessage(error: unknown): string {
  const name = error && typeof error === 'object' && 'name' in error ? String((error as { name: unknown }).name) : ''
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return 'The browser was not allowed to use your microphone. Allow it in the address bar and join again; the notes keep working meanwhile.'
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return 'No microphone was found. Plug one in and join again; the notes keep working meanwhile.'
  if (name === 'NotReadableError') return 'Your microphone is in use by another program. Close it and join again.'
  return 'The call could not start. The notes, board and rubric keep working.'
}

export class CallSession {
  private readonly deps: CallDeps
  private socket: ReconnectingSocket | null = null
  private pc: RTCPeerConnection | null = null
  private makingOffer = false
  private ignoreOffer = false
  /** The partner socket the current peer connection talks to. */
  private partnerId: string | null = null
  private restartTimer: ReturnType<typeof setTimeout> | null = null
  private watchdog: ReturnType<typeof setTimeout> | null = null
  private snapshot: CallSnapshot = {
    phase: 'idle',
    muted: false,
    camera: false,
    partnerMedia: null,
    localStream: null,
    remoteStream: null,
    error: null,
    signalling: 'closed',
  }

  constructor(deps: CallDeps) {
    this.deps = deps
  }

  get state(): CallSnapshot {
    return this.snapshot
  }

  private update(patch: Partial<CallSnapshot>) {
    this.snapshot = { ...this.snapshot, ...patch }
    this.deps.onChange(this.snapshot)
  }

  /** Take the microphone and join the call; resolves false (with a message) when it cannot. */
  async join(): Promise<boolean> {
    if (this.snapshot.phase !== 'idle' && this.snapshot.phase !== 'failed') return true
    this.update({ phase: 'starting', error: null })
    let stream: MediaStream
    try {
      stream = await this.deps.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true }, video: false })
    } catch (error) {
      this.update({ phase: 'failed', error: mediaErrorMessage(error) })
      return false
    }
    this.update({ localStream: stream, phase: 'waiting', muted: false, camera: false })
    this.socket = new ReconnectingSocket(this.deps.wsUrl, {
      // Only when given: an explicit undefined would replace the browser's WebSocket.
      ...(this.deps.WebSocketImpl ? { WebSocketImpl: this.deps.WebSocketImpl } : {}),
      onMessage: (message) => void this.onSignal(message as Signal),
      onStatus: (status, detail) => {
        this.update({ signalling: status })
        if (status === 'closed') {
          this.teardownPeer()
          this.update({
            phase: 'failed',
            error: detail?.code === 4409 ? 'The call moved to another tab or window.' : 'The call is closed.',
          })
        }
      },
    })
    return true
  }

  leave() {
    this.socket?.send({ type: 'hangup' })
    this.socket?.close()
    this.socket = null
    this.teardownPeer()
    this.snapshot.localStream?.getTracks().forEach((track) => track.stop())
    this.update({ phase: 'idle', localStream: null, remoteStream: null, partnerMedia: null, camera: false })
  }

  setMuted(muted: boolean) {
    this.snapshot.localStream?.getAudioTracks().forEach((track) => (track.enabled = !muted))
    this.update({ muted })
    this.sendMedia()
  }

  /** Turn the camera on (a new video track, negotiated) or off (the track is removed). */
  async setCamera(on: boolean): Promise<void> {
    const stream = this.snapshot.localStream
    if (!stream) return
    if (on) {
      let video: MediaStream
      try {
        video = await this.deps.getUserMedia({ video: true, audio: false })
      } catch (error) {
        this.update({ error: mediaErrorMessage(error).replace('microphone', 'camera') })
        return
      }
      const track = video.getVideoTracks()[0]
      stream.addTrack(track)
      // A polite side still waiting for the first offer sends it with its answer instead.
      if (this.pc && this.pc.getSenders().length > 0) this.pc.addTrack(track, stream)
    } else {
      for (const track of stream.getVideoTracks()) {
        track.stop()
        stream.removeTrack(track)
        const sender = this.pc?.getSenders().find((s) => s.track === track)
        if (sender) this.pc?.removeTrack(sender)
      }
    }
    this.update({ camera: on, localStream: stream })
    this.sendMedia()
  }

  /** Use another microphone or camera without renegotiating (replaceTrack). */
  async useDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    const stream = this.snapshot.localStream
    if (!stream) return
    const fresh = await this.deps.getUserMedia(kind === 'audio' ? { audio: { deviceId: { exact: deviceId } } } : { video: { deviceId: { exact: deviceId } } })
    const track = kind === 'audio' ? fresh.getAudioTracks()[0] : fresh.getVideoTracks()[0]
    const old = kind === 'audio' ? stream.getAudioTracks()[0] : stream.getVideoTracks()[0]
    if (old) {
      const sender = this.pc?.getSenders().find((s) => s.track === old)
      await sender?.replaceTrack(track)
      stream.removeTrack(old)
      old.stop()
    }
    if (kind === 'audio') track.enabled = !this.snapshot.muted
    stream.addTrack(track)
    this.update({ localStream: stream })
  }

  /** The live peer connection, for statistics (quality badge, tests). */
  get peerConnection(): RTCPeerConnection | null {
    return this.pc
  }

  /** Start over: reconnect the signalling socket, and with it both peer connections. */
  reconnect() {
    this.teardownPeer()
    this.update({ phase: 'waiting', remoteStream: null })
    this.socket?.drop()
  }

  private send(message: Relayed) {
    this.socket?.send(message)
  }

  private sendMedia() {
    this.send({ type: 'media', audio: !this.snapshot.muted, video: this.snapshot.camera })
  }

  private async onSignal(message: Signal) {
    switch (message.type) {
      case 'welcome':
        // A new socket of ours is a new peer to the partner, who starts afresh: so does this side.
        this.teardownPeer()
        if (this.snapshot.phase !== 'waiting') this.update({ phase: 'waiting', remoteStream: null })
        return
      case 'peer':
        if (message.present) {
          // The same partner heard of twice (or after its offer came first) keeps its connection.
          if (message.id !== this.partnerId || !this.pc) this.startPeer(message.id)
        } else if (message.id === this.partnerId) {
          this.partnerGone()
        }
        return
      default:
        break
    }
    if (message.type === 'offer' && message.from !== this.partnerId) {
      // The offer overtook the news that this partner joined (they travel different paths).
      this.startPeer(message.from)
    }
    // Anything else from a partner socket that has since been replaced is stale.
    if (message.from !== this.partnerId) return
    switch (message.type) {
      case 'hangup':
        this.partnerGone()
        return
      case 'media':
        this.update({ partnerMedia: { audio: message.audio, video: message.video } })
        return
      case 'offer':
      case 'answer':
        await this.onDescription({ type: message.type, sdp: message.sdp })
        return
      case 'candidate':
        await this.onCandidate(message.candidate)
        return
      default:
        return
    }
  }

  private partnerGone() {
    this.teardownPeer()
    this.update({ phase: 'waiting', remoteStream: null, partnerMedia: null })
  }

  private startPeer(partnerId: string) {
    this.teardownPeer()
    this.partnerId = partnerId
    const pc = this.deps.createPeerConnection({
      iceServers: this.deps.config.ice_servers,
      iceTransportPolicy: this.deps.iceTransportPolicy ?? 'all',
    })
    this.pc = pc
    this.makingOffer = false
    this.ignoreOffer = false
    const remote = new MediaStream()
    this.update({ phase: 'connecting', remoteStream: remote })
    pc.ontrack = ({ track }) => {
      remote.addTrack(track)
      track.onended = () => remote.removeTrack(track)
      this.update({ remoteStream: remote })
    }
    pc.onicecandidate = ({ candidate }) => this.send({ type: 'candidate', candidate: candidate ? candidate.toJSON() : null })
    pc.onnegotiationneeded = async () => {
      if (this.pc !== pc) return
      try {
        this.makingOffer = true
        await pc.setLocalDescription()
        const description = pc.localDescription
        if (description) this.send({ type: description.type as 'offer' | 'answer', sdp: description.sdp })
      } catch {
        // A newer negotiation replaced this one; it will send its own description.
      } finally {
        this.makingOffer = false
      }
    }
    pc.onconnectionstatechange = () => {
      if (this.pc !== pc) return
      const state = pc.connectionState
      if (state === 'connected') {
        if (this.restartTimer) clearTimeout(this.restartTimer)
        this.restartTimer = null
        if (this.watchdog) clearTimeout(this.watchdog)
        this.watchdog = null
        this.update({ phase: 'connected', error: null })
      } else if (state === 'disconnected') {
        // Often passes by itself (a network blip); renegotiate if it does not.
        this.update({ phase: 'reconnecting' })
        this.restartTimer = setTimeout(() => this.pc === pc && pc.restartIce(), 2000)
      } else if (state === 'failed') {
        this.update({ phase: 'reconnecting' })
        pc.restartIce()
      }
    }
    if (!this.deps.config.polite) this.addLocalTracks(pc)
    this.watch(pc, 1)
    this.sendMedia()
  }

  /** Send the microphone (and camera) on this connection, each track once. */
  private addLocalTracks(pc: RTCPeerConnection) {
    const stream = this.snapshot.localStream
    if (!stream) return
    const sending = new Set(pc.getSenders().map((sender) => sender.track))
    for (const track of stream.getTracks()) if (!sending.has(track)) pc.addTrack(track, stream)
  }

  /** If the connection is not up in time, start it again; the polite side waits longer. */
  private watch(pc: RTCPeerConnection, attempt: number) {
    if (this.watchdog) clearTimeout(this.watchdog)
    const delay = CONNECT_TIMEOUT_MS * attempt * (this.deps.config.polite ? 2 : 1)
    this.watchdog = setTimeout(() => {
      this.watchdog = null
      if (this.pc !== pc || pc.connectionState === 'connected') return
      if (pc.getSenders().length === 0) {
        // No offer came: offer ourselves.
        this.addLocalTracks(pc)
      } else {
        pc.restartIce()
      }
      if (attempt < MAX_CONNECT_ATTEMPTS) this.watch(pc, attempt + 1)
    }, delay)
  }

  private async onDescription(description: RTCSessionDescriptionInit) {
    const pc = this.pc
    if (!pc) return
    const collision = description.type === 'offer' && (this.makingOffer || pc.signalingState !== 'stable')
    this.ignoreOffer = !this.deps.config.polite && collision
    if (this.ignoreOffer) return
    try {
      await pc.setRemoteDescription(description)
      if (description.type === 'offer') {
        // The polite side's microphone goes out with its first answer.
        this.addLocalTracks(pc)
        await pc.setLocalDescription()
        const answer = pc.localDescription
        if (answer) this.send({ type: 'answer', sdp: answer.sdp })
      }
    } catch {
      // A description that no longer fits (a glare's leftover) changes nothing for a
      // connection that works: only say "reconnecting" when it does not.
      if (this.pc === pc && pc.connectionState !== 'connected') this.update({ phase: 'reconnecting' })
    }
  }

  private async onCandidate(candidate: RTCIceCandidateInit | null) {
    const pc = this.pc
    if (!pc) return
    try {
      await pc.addIceCandidate(candidate ?? undefined)
    } catch {
      // Candidates of an offer this side ignored are expected to fail.
    }
  }

  private teardownPeer() {
    this.partnerId = null
    if (this.restartTimer) clearTimeout(this.restartTimer)
    this.restartTimer = null
    if (this.watchdog) clearTimeout(this.watchdog)
    this.watchdog = null
    const pc = this.pc
    this.pc = null
    if (pc) {
      pc.ontrack = pc.onicecandidate = pc.onnegotiationneeded = pc.onconnectionstatechange = null
      pc.close()
    }
  }
}

export interface CallQuality {
  rttMs: number | null
  lossPercent: number | null
  inboundAudioBytes: number
  inboundAudioLevel: number | null
  /** host, srflx or relay: how this side reaches the partner (relay: through TURN). */
  localCandidateType: string | null
  label: 'good' | 'fair' | 'poor' | 'unknown'
}

/** Read round-trip time and packet loss from getStats into a badge a person understands. */
export function qualityFromStats(stats: RTCStatsReport): CallQuality {
  let rtt: number | null = null
  let lost = 0
  let received = 0
  let inboundAudioBytes = 0
  let inboundAudioLevel: number | null = null
  let localCandidateType: string | null = null
  stats.forEach((report) => {
    if (report.type === 'candidate-pair' && report.nominated && report.state === 'succeeded') {
      if (typeof report.currentRoundTripTime === 'number') rtt = report.currentRoundTripTime * 1000
      localCandidateType = stats.get(report.localCandidateId)?.candidateType ?? localCandidateType
    }
    if (report.type === 'inbound-rtp' && report.kind === 'audio') {
      lost += report.packetsLost ?? 0
      received += report.packetsReceived ?? 0
      inboundAudioBytes += report.bytesReceived ?? 0
      if (typeof report.audioLevel === 'number') inboundAudioLevel = Math.max(inboundAudioLevel ?? 0, report.audioLevel)
    }
  })
  const loss = received + lost > 0 ? (100 * lost) / (received + lost) : null
  let label: CallQuality['label'] = 'unknown'
  if (rtt !== null || loss !== null) {
    const r = rtt ?? 0
    const l = loss ?? 0
    label = r < 250 && l < 2 ? 'good' : r < 500 && l < 8 ? 'fair' : 'poor'
  }
  return { rttMs: rtt, lossPercent: loss, inboundAudioBytes, inboundAudioLevel, localCandidateType, label }
}
