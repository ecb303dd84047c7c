// Recording: each browser records its own microphone with MediaRecorder and uploads it in
// slices, only while both participants consent (the server refuses chunks otherwise, so a
// stale screen cannot record anyone). A slice is retried with backoff until the server has
// it: its seq makes the upload idempotent, so nothing is stored twice and, as long as the tab
// stays open, nothing is lost to a flaky network.
import { api, ApiError, readCookie } from '../api/client'

export interface RecordingState {
  consented: { interviewer: boolean; candidate: boolean }
  active: boolean
}

export function recordingFrom(value: unknown): RecordingState | null {
  if (!value || typeof value !== 'object') return null
  const v = value as { consented?: Record<string, unknown>; active?: unknown }
  return {
    consented: { interviewer: v.consented?.interviewer === true, candidate: v.consented?.candidate === true },
    active: v.active === true,
  }
}

export function setConsent(interviewId: number, consent: boolean): Promise<RecordingState> {
  return api.put('/api/interviews/{interview_id}/recording/consent/', { path: { interview_id: interviewId }, body: { consent } })
}

/** The Opus container this browser records: WebM (Chromium, Firefox) or Ogg. */
export function recordingMimeType(isSupported: (type: string) => boolean): string | null {
  for (const type of ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus']) if (isSupported(type)) return type
  return null
}

export interface Slice {
  seq: number
  data: Blob
  offsetMs: number | null
}

/** Send one slice; resolve when the server has it (stored now or before). */
export type SliceUpload = (slice: Slice) => Promise<void>

export function uploadSlice(interviewId: number): SliceUpload {
  return async (slice) => {
    const form = new FormData()
    form.append('seq', String(slice.seq))
    if (slice.offsetMs !== null) form.append('offset_ms', String(Math.round(slice.offsetMs)))
    form.append('audio', slice.data, `chunk-${slice.seq}`)
    let response: Response
    try {
      response = await fetch(`/api/interviews/${interviewId}/recording/chunks/`, {
        method: 'POST',
        body: form,
        credentials: 'same-origin',
        headers: { Accept: 'application/json', 'X-CSRFToken': readCookie('csrftoken') ?? '' },
      })
    } catch {
      throw new ApiError(0, 'network', 'Cannot reach the server.')
    }
    if (!response.ok) {
      const body = await response.json().catch(() => null)
      const error = body?.error ?? {}
      throw new ApiError(response.status, error.code ?? 'error', error.message ?? `Upload failed (${response.status}).`)
    }
  }
}

/** Whether a failed upload is worth trying again: the network, the server busy or failing. */
export function retryable(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true
  return error.status === 0 || error.status === 429 || error.status >= 500
}

export interface QueueDeps {
  upload: SliceUpload
  sleep?: (ms: number) => Promise<void>
  onError?: (error: ApiError) => void
  /** First retry delay; doubled per attempt up to maxDelayMs. */
  baseDelayMs?: number
  maxDelayMs?: number
}

/** Upload slices one at a time, in order, retrying each with backoff until it is taken. */
export class UploadQueue {
  private readonly pending: Slice[] = []
  private running = false
  private stopped = false
  readonly deps: Required<Omit<QueueDeps, 'onError'>> & Pick<QueueDeps, 'onError'>

  constructor(deps: QueueDeps) {
    this.deps = {
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      baseDelayMs: 1000,
      maxDelayMs: 30_000,
      ...deps,
    }
  }

  get size(): number {
    return this.pending.length
  }

  push(slice: Slice): Promise<void> {
    this.pending.push(slice)
    return this.drain()
  }

  stop(): void {
    this.stopped = true
  }

  private async drain(): Promise<void> {
    if (this.running) return
    this.running = true
    try {
      while (this.pending.length && !this.stopped) {
        const slice = this.pending[0]
        for (let attempt = 0; !this.stopped; attempt++) {
          try {
            await this.deps.upload(slice)
            break
          } catch (error) {
            if (!retryable(error)) {
              // Refused for good (consent withdrawn, room closed, cap reached): the server will
              // not take it later either.
              this.deps.onError?.(error as ApiError)
              break
            }
            await this.deps.sleep(Math.min(this.deps.baseDelayMs * 2 ** attempt, this.deps.maxDelayMs))
          }
        }
        this.pending.shift()
      }
    } finally {
      this.running = false
    }
  }
}

/** The next free seq of this browser's track, kept across reloads (a reused seq is dropped). */
export function nextSeq(interviewId: number, storage: Pick<Storage, 'getItem' | 'setItem'> = localStorage): number {
  const key = `sevenstep:recording-seq:${interviewId}`
  const seq = Number(storage.getItem(key) ?? '0') || 0
  storage.setItem(key, String(seq + 1))
  return seq
}

export const SLICE_MS = 5000

export interface RecorderDeps {
  interviewId: number
  stream: MediaStream
  /** The interview clock now, in ms since its origin (null when unknown). */
  clockMs: () => number | null
  queue: UploadQueue
  createRecorder?: (stream: MediaStream, options: MediaRecorderOptions) => MediaRecorder
}

/** Record the own microphone (audio only) in SLICE_MS slices into the upload queue. */
export function startRecorder(deps: RecorderDeps): () => void {
  const mimeType = recordingMimeType((type) => MediaRecorder.isTypeSupported(type))
  if (!mimeType) throw new Error('This browser cannot record Opus audio.')
  const audioOnly = new MediaStream(deps.stream.getAudioTracks())
  const create = deps.createRecorder ?? ((stream, options) => new MediaRecorder(stream, options))
  const recorder = create(audioOnly, { mimeType, audioBitsPerSecond: 32_000 })
  let sliceStart = deps.clockMs()
  recorder.ondataavailable = (event: BlobEvent) => {
    const offsetMs = sliceStart
    sliceStart = deps.clockMs()
    if (event.data.size === 0) return
    void deps.queue.push({ seq: nextSeq(deps.interviewId), data: event.data, offsetMs })
  }
  recorder.start(SLICE_MS)
  return () => {
    if (recorder.state !== 'inactive') recorder.stop()
  }
}
