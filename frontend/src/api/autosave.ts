import { useCallback, useEffect, useRef, useState } from 'react'
import { ApiError, api } from './client'

export type SaveState = 'idle' | 'saving' | 'saved' | 'error'

export function newIdempotencyKey(): string {
  return crypto.randomUUID()
}

/**
 * A server-side draft edited in the page: loaded when it exists (the page knows from the
 * interview's submission state, so it never asks for one that does not), else started empty;
 * saved as a whole after a pause in typing, flushed before submitting and when the page goes away.
 */
export function useAutosavedDraft<Input, Output>({
  url,
  enabled = true,
  exists = true,
  fromOutput,
  empty,
  delayMs = 700,
}: {
  url: string
  enabled?: boolean
  exists?: boolean
  fromOutput: (output: Output) => Input
  empty: () => Input
  delayMs?: number
}) {
  const [draft, setDraft] = useState<Input | null>(null)
  const [saved, setSaved] = useState<Output | null>(null)
  const [loadError, setLoadError] = useState<unknown>(null)
  const [saveState, setSaveState] = useState<SaveState>('idle')
  const [saveError, setSaveError] = useState<unknown>(null)
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const pending = useRef<Input | null>(null)
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
    api
      .get<Output>(url)
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
      setSaved(await api.put<Output>(url, body))
      setSaveError(null)
      setSaveState(pending.current ? 'saving' : 'saved')
    } catch (error) {
      setSaveError(error)
      setSaveState('error')
    }
  }, [url])

  const update = useCallback(
    (change: (draft: Input) => Input) => {
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
export function useSubmit<Output>(url: string, before: () => Promise<void>) {
  const key = useRef<string | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const submit = useCallback(async (): Promise<Output | null> => {
    setError(null)
    setBusy(true)
    try {
      await before()
      key.current ??= newIdempotencyKey()
      return await api.post<Output>(url, undefined, { headers: { 'Idempotency-Key': key.current } })
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
