import { useCallback, useEffect, useRef, useState } from 'react'
import { ApiError, fillPath, request } from './client'
import type { RequestBodyOf, ResponseOf } from './paths'
import type { Feedback, FeedbackInput, Scorecard, ScorecardInput } from './types'

/** The drafts saved as a whole while typing: what each takes (PUT) and answers (GET, PUT). */
interface Drafts {
  '/api/interviews/{interview_id}/scorecard/': { input: ScorecardInput; output: Scorecard }
  '/api/interviews/{interview_id}/interviewer-feedback/': { input: FeedbackInput; output: Feedback }
}
type DraftPath = keyof Drafts
type DraftInput<P extends DraftPath> = Drafts[P]['input']
type DraftOutput<P extends DraftPath> = Drafts[P]['output']
// Where each draft is submitted.
type SubmitPath = `${DraftPath}submit/`

// The table above says what the schema says, or the build fails.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Agrees<P extends DraftPath> = Same<DraftInput<P>, RequestBodyOf<P, 'put'>> extends true
  ? Same<DraftOutput<P>, ResponseOf<P, 'get'>> extends true
    ? Same<DraftOutput<P>, ResponseOf<P, 'put'>>
    : false
  : false
export type DraftsAgreeWithSchema = { [P in DraftPath]: Agrees<P> }[DraftPath] extends true ? true : never
true satisfies DraftsAgreeWithSchema

export type SaveState = 'idle' | 'saving' | 'saved' | 'error'

export function newIdempotencyKey(): string {
  return crypto.randomUUID()
}

/**
 * A server-side draft edited in the page: loaded when it exists (the page knows from the
 * interview's submission state, so it never asks for one that does not), else started empty;
 * saved as a whole after a pause in typing, flushed before submitting and when the page goes away.
 */
export function useAutosavedDraft<P extends DraftPath>({
  path,
  interviewId,
  enabled = true,
  exists = true,
  fromOutput,
  empty,
  delayMs = 700,
}: {
  path: P
  interviewId: number
  enabled?: boolean
  exists?: boolean
  fromOutput: (output: DraftOutput<P>) => DraftInput<P>
  empty: () => DraftInput<P>
  delayMs?: number
}) {
  const url = fillPath(path, { interview_id: interviewId })
  const [draft, setDraft] = useState<DraftInput<P> | null>(null)
  const [saved, setSaved] = useState<DraftOutput<P> | null>(null)
  const [loadError, setLoadError] = useState<unknown>(null)
  const [saveState, setSaveState] = useState<SaveState>('idle')
  const [saveError, setSaveError] = useState<unknown>(null)
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const pending = useRef<DraftInput<P> | null>(null)
  const convert = useRef({ fromOutput, empty })
  convert.current = { fromOutput, empty }

  // Read once, when loading starts: the state turning to "draft" after the first save must not
  // reload the draft over what is being typed.
  const existsAtLoad = useRef(exists)
  existsAtLoad.current = exists
  useEffect(() => {
    if (!enabled) return
    if (!existsAtLoad.current) {
      setDraft(convert.current.empty())
      return
    }
    let cancelled = false
    // Typed by the path: the draft endpoints answer GET and PUT with the same shape.
    ;(request('GET', url) as Promise<DraftOutput<P>>)
      .then((loaded) => {
        if (cancelled) return
        setSaved(loaded)
        setDraft(convert.current.fromOutput(loaded))
      })
      .catch((error) => {
        if (cancelled) return
        if (error instanceof ApiError && error.status === 404) setDraft(convert.current.empty())
        else setLoadError(error)
      })
    return () => {
      cancelled = true
    }
  }, [url, enabled])

  const save = useCallback(async () => {
    const body = pending.current
    if (!body) return
    pending.current = null
    setSaveState('saving')
    try {
      const answer = (await request('PUT', url, body)) as DraftOutput<P>
      setSaved(answer)
      setSaveError(null)
      setSaveState(pending.current ? 'saving' : 'saved')
    } catch (error) {
      setSaveError(error)
      setSaveState('error')
    }
  }, [url])

  const update = useCallback(
    (change: (draft: DraftInput<P>) => DraftInput<P>) => {
      setDraft((current) => {
        if (!current) return current
        const next = change(current)
        pending.current = next
        return next
      })
      setSaveState('saving')
      if (timer.current) clearTimeout(timer.current)
      timer.current = setTimeout(() => void save(), delayMs)
    },
    [save, delayMs],
  )

  // Never lose the last keystrokes when the page goes away.
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current)
      void save()
    },
    [save],
  )

  const flush = useCallback(async () => {
    if (timer.current) clearTimeout(timer.current)
    await save()
  }, [save])

  return { draft, saved, setSaved, loadError, saveState, saveError, update, flush }
}

/** Submit once: the same key is reused when the answer was lost, so a retry cannot double-submit. */
export function useSubmit<P extends SubmitPath>(path: P, interviewId: number, before: () => Promise<void>) {
  type Output = ResponseOf<P, 'post'>
  const url = fillPath(path, { interview_id: interviewId })
  const key = useRef<string | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const submit = useCallback(async (): Promise<Awaited<Output> | null> => {
    setError(null)
    setBusy(true)
    try {
      await before()
      key.current ??= newIdempotencyKey()
      return (await request('POST', url, {}, { headers: { 'Idempotency-Key': key.current } })) as Awaited<Output>
    } catch (e) {
      setError(e)
      // A definite refusal will not change on retry with the same key; a lost answer might.
      if (e instanceof ApiError && e.status !== 0) key.current = null
      return null
    } finally {
      setBusy(false)
    }
  }, [url, before])
  return { submit, error, busy }
}
