import { describe, expect, it } from 'vitest'
import { ApiError } from '../api/client'
import { nextSeq, recordingFrom, recordingMimeType, retryable, UploadQueue, type Slice } from './recording'

const slice = (seq: number): Slice => ({ seq, data: new Blob([String(seq)]), offsetMs: seq * 5000 })

describe('the upload queue', () => {
  it('retries a slice with growing delays until the server takes it, then sends the next', async () => {
    const sent: number[] = []
    const delays: number[] = []
    let failures = 3
    const queue = new UploadQueue({
      upload: async (s) => {
        sent.push(s.seq)
        if (s.seq === 0 && failures-- > 0) throw new ApiError(0, 'network', 'offline')
      },
      sleep: async (ms) => {
        delays.push(ms)
      },
    })
    await Promise.all([queue.push(slice(0)), queue.push(slice(1))])
    expect(sent).toEqual([0, 0, 0, 0, 1])
    expect(delays).toEqual([1000, 2000, 4000])
    expect(queue.size).toBe(0)
  })

  it('gives a slice up when the server refuses it for good, and says why', async () => {
    const errors: string[] = []
    const sent: number[] = []
    const queue = new UploadQueue({
      upload: async (s) => {
        sent.push(s.seq)
        if (s.seq === 0) throw new ApiError(409, 'recording_not_consented', 'Recording needs both')
      },
      sleep: async () => {},
      onError: (e) => errors.push(e.code),
    })
    await queue.push(slice(0))
    await queue.push(slice(1))
    expect(sent).toEqual([0, 1])
    expect(errors).toEqual(['recording_not_consented'])
  })

  it('caps the backoff', async () => {
    const delays: number[] = []
    let failures = 8
    const queue = new UploadQueue({
      upload: async () => {
        if (failures-- > 0) throw new ApiError(503, 'service_unavailable', 'busy')
      },
      sleep: async (ms) => {
        delays.push(ms)
      },
      maxDelayMs: 10_000,
    })
    await queue.push(slice(0))
    expect(Math.max(...delays)).toBe(10_000)
  })
})

describe('recording helpers', () => {
  it('retries only what may succeed later', () => {
    expect(retryable(new ApiError(0, 'network', ''))).toBe(true)
    expect(retryable(new ApiError(503, 'x', ''))).toBe(true)
    expect(retryable(new ApiError(429, 'x', ''))).toBe(true)
    expect(retryable(new ApiError(413, 'recording_full', ''))).toBe(false)
    expect(retryable(new ApiError(409, 'room_closed', ''))).toBe(false)
  })

  it('never reuses a seq, even after a reload', () => {
    const store = new Map<string, string>()
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) }
    expect([nextSeq(7, storage), nextSeq(7, storage), nextSeq(8, storage)]).toEqual([0, 1, 0])
  })

  it('prefers Opus in WebM, then in Ogg', () => {
    expect(recordingMimeType(() => true)).toBe('audio/webm;codecs=opus')
    expect(recordingMimeType((t) => t.startsWith('audio/ogg'))).toBe('audio/ogg;codecs=opus')
    expect(recordingMimeType(() => false)).toBeNull()
  })

  it('reads the recording state the server sends', () => {
    expect(recordingFrom({ consented: { interviewer: true }, active: false })).toEqual({
      consented: { interviewer: true, candidate: false },
      active: false,
    })
    expect(recordingFrom(null)).toBeNull()
  })
})
