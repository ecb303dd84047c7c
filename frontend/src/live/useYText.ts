import { useEffect, useState } from 'react'
import type * as Y from 'yjs'

/** The current string of a shared text, refreshed at most every `delayMs` while people type. */
export function useYText(text: Y.Text | null, delayMs = 250): string {
  const [value, setValue] = useState(() => text?.toString() ?? '')
  useEffect(() => {
    if (!text) return
    setValue(text.toString())
    let timer: ReturnType<typeof setTimeout> | null = null
    const observer = () => {
      if (timer) return
      timer = setTimeout(() => {
        timer = null
        setValue(text.toString())
      }, delayMs)
    }
    text.observe(observer)
    return () => {
      text.unobserve(observer)
      if (timer) clearTimeout(timer)
    }
  }, [text, delayMs])
  return value
}
