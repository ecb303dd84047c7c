import { useEffect, useState } from 'react'
import { WebsocketProvider } from 'y-websocket'
import * as Y from 'yjs'
import { guardAwareness } from './awareness'
import { closeReason, type ChannelStatus } from './connection'
import { isPermanentClose } from './socket'

export function wsOrigin(location: Location = window.location): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`
}

export interface LiveDocument {
  doc: Y.Doc
  provider: WebsocketProvider
  status: ChannelStatus
  synced: boolean
  closedReason: string | null
}

export interface Identity {
  name: string
  role: string
  color: string
}

/** Pick a stable, readable cursor colour per user. */
export function colorFor(userId: number): { color: string; light: string } {
  const palette = ['#1f4fbf', '#b3261e', '#1d6b35', '#7a3fb0', '#8a4b00', '#006d77', '#a0265f']
  const color = palette[Math.abs(userId) % palette.length]
  return { color, light: `${color}33` }
}

/**
 * Join a live document of an interview (`notes` or `private`) with the stock Yjs client.
 *
 * Same origin, so the session cookie authenticates the socket. y-websocket reconnects by
 * itself with backoff and stops on 44xx refusals; edits made while disconnected stay in the
 * document and reach the server in the sync that follows the reconnect.
 */
export function useLiveDocument(interviewId: number, room: 'notes' | 'private', identity: Identity, enabled = true) {
  const [live, setLive] = useState<LiveDocument | null>(null)

  useEffect(() => {
    if (!enabled) return
    const doc = new Y.Doc()
    const provider = new WebsocketProvider(`${wsOrigin()}/ws/interviews/${interviewId}`, room, doc, {
      disableBc: true,
      maxBackoffTime: 4000,
      shouldReconnect: (event) => !isPermanentClose(event.code),
    })
    // First listener on the awareness: everything added later sees only safe remote states.
    const unguard = guardAwareness(provider.awareness)
    let current: LiveDocument = { doc, provider, status: 'connecting', synced: false, closedReason: null }
    const update = (patch: Partial<LiveDocument>) => {
      current = { ...current, ...patch }
      setLive(current)
    }
    setLive(current)
    provider.on('status', ({ status }) => update({ status, ...(status !== 'connected' ? { synced: false } : {}) }))
    provider.on('sync', (synced: boolean) => update({ synced }))
    provider.on('closed', ({ code, reason }) => update({ status: 'closed', closedReason: closeReason(code, reason) }))
    return () => {
      unguard()
      provider.destroy()
      doc.destroy()
      setLive(null)
    }
  }, [interviewId, room, enabled])

  useEffect(() => {
    live?.provider.awareness.setLocalStateField('user', {
      name: identity.name,
      role: identity.role,
      color: identity.color,
      colorLight: `${identity.color}33`,
    })
  }, [live?.provider, identity.name, identity.role, identity.color])

  return live
}

/** Whether the browser thinks it has a network. */
export function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine)
  useEffect(() => {
    const on = () => setOnline(true)
    const off = () => setOnline(false)
    window.addEventListener('online', on)
    window.addEventListener('offline', off)
    return () => {
      window.removeEventListener('online', on)
      window.removeEventListener('offline', off)
    }
  }, [])
  return online
}
