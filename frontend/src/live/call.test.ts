import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { currentSocket, FakeSocket, FakeWebSocket } from '../test/fakeSocket'
import { CallSession, CONNECT_TIMEOUT_MS, mediaErrorMessage, qualityFromStats, type CallSnapshot } from './call'
import { ReconnectingSocket } from './socket'

// A peer connection that records what the session asks of it; negotiation is driven by hand.
class FakePeer {
  static made: FakePeer[] = []
  signalingState: RTCSignalingState = 'stable'
  connectionState: RTCPeerConnectionState = 'new'
  localDescription: { type: string; sdp: string } | null = null
  remote: RTCSessionDescriptionInit[] = []
  candidates: (RTCIceCandidateInit | undefined)[] = []
  tracks: unknown[] = []
  closed = false
  restarted = 0
  ontrack: ((event: { track: unknown }) => void) | null = null
  onicecandidate: ((event: { candidate: unknown }) => void) | null = null
  onnegotiationneeded: (() => Promise<void>) | null = null
  onconnectionstatechange: (() => void) | null = null
  constructor(public config: RTCConfiguration) {
    FakePeer.made.push(this)
  }
  addTrack(track: unknown) {
    this.tracks.push(track)
  }
  getSenders() {
    return this.tracks.map((track) => ({ track }))
  }
  async setLocalDescription() {
    if (this.signalingState === 'have-remote-offer') {
      this.localDescription = { type: 'answer', sdp: 'answer-sdp' }
      this.signalingState = 'stable'
    } else {
      this.localDescription = { type: 'offer', sdp: 'offer-sdp' }
      this.signalingState = 'have-local-offer'
    }
  }
  async setRemoteDescription(description: RTCSessionDescriptionInit) {
    this.remote.push(description)
    this.signalingState = description.type === 'offer' ? 'have-remote-offer' : 'stable'
  }
  async addIceCandidate(candidate?: RTCIceCandidateInit) {
    this.candidates.push(candidate)
  }
  restartIce() {
    this.restarted++
  }
  close() {
    this.closed = true
  }
}

class FakeTrack {
  enabled = true
  stopped = false
  constructor(public kind: string) {}
  stop() {
    this.stopped = true
  }
}

class FakeStream {
  tracks: FakeTrack[]
  constructor(tracks: FakeTrack[] = []) {
    this.tracks = tracks
  }
  getTracks() {
    return this.tracks
  }
  getAudioTracks() {
    return this.tracks.filter((t) => t.kind === 'audio')
  }
  getVideoTracks() {
    return this.tracks.filter((t) => t.kind === 'video')
  }
  addTrack(track: FakeTrack) {
    this.tracks.push(track)
  }
  removeTrack(track: FakeTrack) {
    this.tracks = this.tracks.filter((t) => t !== track)
  }
}

function session(polite: boolean, getUserMedia?: () => Promise<MediaStream>) {
  const snapshots: CallSnapshot[] = []
  const call = new CallSession({
    wsUrl: 'ws://x/ws/interviews/1/call',
    config: { role: polite ? 'candidate' : 'interviewer', polite, ice_servers: [{ urls: ['turn:t'] }], credentials_expire_at: null, signalling_path: '' },
    getUserMedia: getUserMedia ?? (async () => new FakeStream([new FakeTrack('audio')]) as unknown as MediaStream),
    createPeerConnection: (config) => new FakePeer(config) as unknown as RTCPeerConnection,
    WebSocketImpl: FakeWebSocket,
    onChange: (s) => snapshots.push(s),
  })
  return { call, snapshots }
}

const sent = () => currentSocket().sent.map((s) => JSON.parse(s))
const flush = () => new Promise((resolve) => setTimeout(resolve, 0))

beforeEach(() => {
  FakeSocket.instances = []
  FakePeer.made = []
  ;(globalThis as { MediaStream?: unknown }).MediaStream = FakeStream
})

describe('CallSession', () => {
  it('waits for the partner, then starts a peer connection with the microphone and the ICE servers', async () => {
    const { call } = session(false)
    await call.join()
    currentSocket().serverOpens()
    expect(call.state.phase).toBe('waiting')
    expect(FakePeer.made).toHaveLength(0)
    currentSocket().serverSends(JSON.stringify({ type: 'peer', present: true, id: 'p1' }))
    await flush()
    const peer = FakePeer.made[0]
    expect(peer.config.iceServers).toEqual([{ urls: ['turn:t'] }])
    expect(peer.tracks).toHaveLength(1)
    expect(call.state.phase).toBe('connecting')
    expect(sent()).toContainEqual({ type: 'media', audio: true, video: false })
  })

  it('sends its offer and takes the answer', async () => {
    const { call } = session(false)
    await call.join()
    currentSocket().serverOpens()
    currentSocket().serverSends(JSON.stringify({ type: 'peer', present: true, id: 'p1' }))
    await flush()
    const peer = FakePeer.made[0]
    await peer.onnegotiationneeded!()
    expect(sent()).toContainEqual({ type: 'offer', sdp: 'offer-sdp' })
    currentSocket().serverSends(JSON.stringify({ type: 'answer', sdp: 'their-answer', from: 'p1' }))
    await flush()
    expect(peer.remote).toEqual([{ type: 'answer', sdp: 'their-answer' }])
  })

  it('on a collision the impolite peer ignores the offer and the polite one yields to it', async () => {
    for (const polite of [false, true]) {
      FakePeer.made = []
      const { call } = session(polite)
      await call.join()
      currentSocket().serverOpens()
      currentSocket().serverSends(JSON.stringify({ type: 'peer', present: true, id: 'p1' }))
      await flush()
      const peer = FakePeer.made[0]
      await peer.onnegotiationneeded!() // our own offer is out
      currentSocket().serverSends(JSON.stringify({ type: 'offer', sdp: 'their-offer', from: 'p1' }))
      await flush()
      if (polite) {
        expect(peer.remote).toEqual([{ type: 'offer', sdp: 'their-offer' }])
        expect(sent()).toContainEqual({ type: 'answer', sdp: 'answer-sdp' })
      } else {
        expect(peer.remote).toEqual([])
      }
      call.leave()
    }
  })

  it('starts afresh when the partner comes back and stops when they leave', async () => {
    const { call } = session(true)
    await call.join()
    currentSocket().serverOpens()
    currentSocket().serverSends(JSON.stringify({ type: 'peer', present: true, id: 'p1' }))
    currentSocket().serverSends(JSON.stringify({ type: 'peer', present: false, id: 'p1' }))
    expect(FakePeer.made[0].closed).toBe(true)
    expect(call.state.phase).toBe('waiting')
    currentSocket().serverSends(JSON.stringify({ type: 'peer', present: true, id: 'p1' }))
    expect(FakePeer.made).toHaveLength(2)
    expect(FakePeer.made[1].closed).toBe(false)
  })

  it('answers an offer that arrives before the news that the partner joined, and keeps that connection', async () => {
    const { call } = session(true)
    await call.join()
    currentSocket().serverOpens()
    currentSocket().serverSends(JSON.stringify({ type: 'offer', sdp: 'their-offer', from: 'p1' }))
    await flush()
    expect(FakePeer.made).toHaveLength(1)
    expect(FakePeer.made[0].remote).toEqual([{ type: 'offer', sdp: 'their-offer' }])
    expect(sent()).toContainEqual({ type: 'answer', sdp: 'answer-sdp' })
    currentSocket().serverSends(JSON.stringify({ type: 'peer', present: true, id: 'p1' }))
    expect(FakePeer.made).toHaveLength(1)
    expect(FakePeer.made[0].closed).toBe(false)
  })

  it('uses the browser WebSocket when none is given', async () => {
    const made: string[] = []
    const original = globalThis.WebSocket
    globalThis.WebSocket = class extends FakeSocket {
      constructor(url: string) {
        super(url)
        made.push(url)
      }
    } as unknown as typeof WebSocket
    try {
      const call = new CallSession({
        wsUrl: 'ws://x/ws/interviews/1/call',
        config: { role: 'candidate', polite: true, ice_servers: [], credentials_expire_at: null, signalling_path: '' },
        getUserMedia: async () => new FakeStream([new FakeTrack('audio')]) as unknown as MediaStream,
        createPeerConnection: (config) => new FakePeer(config) as unknown as RTCPeerConnection,
        onChange: () => undefined,
      })
      await call.join()
      expect(made).toEqual(['ws://x/ws/interviews/1/call'])
    } finally {
      globalThis.WebSocket = original
    }
  })

  it('renegotiates with an ICE restart when the connection fails', async () => {
    const { call } = session(false)
    await call.join()
    currentSocket().serverOpens()
    currentSocket().serverSends(JSON.stringify({ type: 'peer', present: true, id: 'p1' }))
    const peer = FakePeer.made[0]
    peer.connectionState = 'failed'
    peer.onconnectionstatechange!()
    expect(peer.restarted).toBe(1)
    expect(call.state.phase).toBe('reconnecting')
    peer.connectionState = 'connected'
    peer.onconnectionstatechange!()
    expect(call.state.phase).toBe('connected')
  })

  it('mute disables the microphone track and tells the partner', async () => {
    const { call } = session(false)
    await call.join()
    currentSocket().serverOpens()
    call.setMuted(true)
    expect(call.state.localStream!.getAudioTracks()[0].enabled).toBe(false)
    expect(sent().at(-1)).toEqual({ type: 'media', audio: false, video: false })
  })

  it('shows the partner muted and their camera from their media messages', async () => {
    const { call } = session(false)
    await call.join()
    currentSocket().serverOpens()
    currentSocket().serverSends(JSON.stringify({ type: 'peer', present: true, id: 'p1' }))
    currentSocket().serverSends(JSON.stringify({ type: 'media', audio: false, video: true, from: 'p1' }))
    expect(call.state.partnerMedia).toEqual({ audio: false, video: true })
  })

  it('the polite side does not offer a fresh connection: its microphone goes out with its answer', async () => {
    const { call } = session(true)
    await call.join()
    currentSocket().serverOpens()
    currentSocket().serverSends(JSON.stringify({ type: 'peer', present: true, id: 'p1' }))
    const peer = FakePeer.made[0]
    expect(peer.tracks).toHaveLength(0)
    currentSocket().serverSends(JSON.stringify({ type: 'offer', sdp: 'their-offer', from: 'p1' }))
    await flush()
    expect(peer.tracks).toHaveLength(1)
    expect(sent()).toContainEqual({ type: 'answer', sdp: 'answer-sdp' })
  })

  describe('a connection that does not come up', () => {
    beforeEach(() => vi.useFakeTimers())
    afterEach(() => vi.useRealTimers())

    it('is restarted by the impolite side, again and again with growing patience', async () => {
      const { call } = session(false)
      await call.join()
      currentSocket().serverOpens()
      currentSocket().serverSends(JSON.stringify({ type: 'peer', present: true, id: 'p1' }))
      const peer = FakePeer.made[0]
      vi.advanceTimersByTime(CONNECT_TIMEOUT_MS)
      expect(peer.restarted).toBe(1)
      vi.advanceTimersByTime(2 * CONNECT_TIMEOUT_MS)
      expect(peer.restarted).toBe(2)
      peer.connectionState = 'connected'
      peer.onconnectionstatechange!()
      vi.advanceTimersByTime(60 * CONNECT_TIMEOUT_MS)
      expect(peer.restarted).toBe(2)
    })

    it('makes the polite side offer itself when no offer came', async () => {
      const { call } = session(true)
      await call.join()
      currentSocket().serverOpens()
      currentSocket().serverSends(JSON.stringify({ type: 'peer', present: true, id: 'p1' }))
      const peer = FakePeer.made[0]
      vi.advanceTimersByTime(CONNECT_TIMEOUT_MS)
      expect(peer.tracks).toHaveLength(0)
      vi.advanceTimersByTime(CONNECT_TIMEOUT_MS)
      expect(peer.tracks).toHaveLength(1)
      expect(peer.restarted).toBe(0)
    })

    it('is left alone once it is up, and forgotten with the partner', async () => {
      const { call } = session(false)
      await call.join()
      currentSocket().serverOpens()
      currentSocket().serverSends(JSON.stringify({ type: 'peer', present: true, id: 'p1' }))
      currentSocket().serverSends(JSON.stringify({ type: 'peer', present: false, id: 'p1' }))
      vi.advanceTimersByTime(60 * CONNECT_TIMEOUT_MS)
      expect(FakePeer.made[0].restarted).toBe(0)
    })
  })

  it('news of the same partner heard twice keeps the connection being negotiated', async () => {
    const { call } = session(false)
    await call.join()
    currentSocket().serverOpens()
    currentSocket().serverSends(JSON.stringify({ type: 'peer', present: true, id: 'p1' }))
    await flush()
    await FakePeer.made[0].onnegotiationneeded!()
    currentSocket().serverSends(JSON.stringify({ type: 'peer', present: true, id: 'p1' }))
    currentSocket().serverSends(JSON.stringify({ type: 'answer', sdp: 'their-answer', from: 'p1' }))
    await flush()
    expect(FakePeer.made).toHaveLength(1)
    expect(FakePeer.made[0].closed).toBe(false)
    expect(FakePeer.made[0].remote).toEqual([{ type: 'answer', sdp: 'their-answer' }])
  })

  it('a partner who came back with a new socket gets a fresh connection; their old socket is not heard', async () => {
    const { call } = session(false)
    await call.join()
    currentSocket().serverOpens()
    currentSocket().serverSends(JSON.stringify({ type: 'peer', present: true, id: 'p1' }))
    currentSocket().serverSends(JSON.stringify({ type: 'peer', present: true, id: 'p2' }))
    expect(FakePeer.made).toHaveLength(2)
    expect(FakePeer.made[0].closed).toBe(true)
    // The replaced socket's leaving and late messages change nothing.
    currentSocket().serverSends(JSON.stringify({ type: 'peer', present: false, id: 'p1' }))
    currentSocket().serverSends(JSON.stringify({ type: 'answer', sdp: 'stale', from: 'p1' }))
    currentSocket().serverSends(JSON.stringify({ type: 'hangup', from: 'p1' }))
    await flush()
    expect(FakePeer.made[1].closed).toBe(false)
    expect(FakePeer.made[1].remote).toEqual([])
    expect(call.state.phase).toBe('connecting')
    currentSocket().serverSends(JSON.stringify({ type: 'hangup', from: 'p2' }))
    expect(FakePeer.made[1].closed).toBe(true)
    expect(call.state.phase).toBe('waiting')
  })

  it('a new signalling socket of its own starts over: the partner sees a new peer', async () => {
    const { call } = session(false)
    await call.join()
    currentSocket().serverOpens()
    currentSocket().serverSends(JSON.stringify({ type: 'welcome', role: 'interviewer', polite: false, id: 'me1' }))
    currentSocket().serverSends(JSON.stringify({ type: 'peer', present: true, id: 'p1' }))
    expect(FakePeer.made).toHaveLength(1)
    currentSocket().serverSends(JSON.stringify({ type: 'welcome', role: 'interviewer', polite: false, id: 'me2' }))
    expect(FakePeer.made[0].closed).toBe(true)
    expect(call.state.phase).toBe('waiting')
    currentSocket().serverSends(JSON.stringify({ type: 'peer', present: true, id: 'p1' }))
    expect(FakePeer.made).toHaveLength(2)
  })

  it('a denied microphone fails with a message and opens no socket', async () => {
    const denied = Object.assign(new Error('denied'), { name: 'NotAllowedError' })
    const { call } = session(false, async () => {
      throw denied
    })
    expect(await call.join()).toBe(false)
    expect(call.state.phase).toBe('failed')
    expect(call.state.error).toMatch(/not allowed to use your microphone/)
    expect(FakeSocket.instances).toHaveLength(0)
  })

  it('leaving hangs up, stops the microphone and closes the socket', async () => {
    const { call } = session(false)
    await call.join()
    currentSocket().serverOpens()
    const track = call.state.localStream!.getAudioTracks()[0] as unknown as FakeTrack
    call.leave()
    expect(JSON.parse(FakeSocket.instances[0].sent.at(-1)!)).toEqual({ type: 'hangup' })
    expect(track.stopped).toBe(true)
    expect(call.state.phase).toBe('idle')
  })

  it('another tab taking the call over ends this one with a reason', async () => {
    const { call } = session(false)
    await call.join()
    currentSocket().serverOpens()
    currentSocket().drops(4409, '')
    expect(call.state.phase).toBe('failed')
    expect(call.state.error).toMatch(/another tab/)
  })
})

describe('ReconnectingSocket.drop', () => {
  it('reconnects at once as after a network failure', () => {
    const socket = new ReconnectingSocket('ws://x', { onMessage: () => undefined, onStatus: () => undefined, WebSocketImpl: FakeWebSocket })
    currentSocket().serverOpens()
    socket.drop()
    expect(FakeSocket.instances).toHaveLength(2)
    expect(FakeSocket.instances[0].readyState).toBe(3)
  })
})

describe('call helpers', () => {
  it('explains each way the microphone can be unavailable', () => {
    expect(mediaErrorMessage({ name: 'NotFoundError' })).toMatch(/No microphone/)
    expect(mediaErrorMessage({ name: 'NotReadableError' })).toMatch(/in use/)
    expect(mediaErrorMessage(new Error('x'))).toMatch(/keep working/)
  })

  it('reads round-trip time, loss and inbound audio from getStats', () => {
    const report = new Map<string, Record<string, unknown>>([
      ['p', { type: 'candidate-pair', nominated: true, state: 'succeeded', currentRoundTripTime: 0.04, localCandidateId: 'l' }],
      ['l', { type: 'local-candidate', candidateType: 'relay' }],
      ['a', { type: 'inbound-rtp', kind: 'audio', packetsLost: 1, packetsReceived: 199, bytesReceived: 5000 }],
    ]) as unknown as RTCStatsReport
    const quality = qualityFromStats(report)
    expect(quality.rttMs).toBeCloseTo(40)
    expect(quality.lossPercent).toBeCloseTo(0.5)
    expect(quality.inboundAudioBytes).toBe(5000)
    expect(quality.label).toBe('good')
    expect(quality.localCandidateType).toBe('relay')
    const bad = new Map([['a', { type: 'inbound-rtp', kind: 'audio', packetsLost: 30, packetsReceived: 70 }]]) as unknown as RTCStatsReport
    expect(qualityFromStats(bad).label).toBe('poor')
  })
})
