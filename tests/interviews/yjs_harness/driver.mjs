// Drive stock Yjs clients (yjs + y-websocket's WebsocketProvider over `ws`) from pytest.
// One JSON command per line on stdin, one JSON answer per line on stdout:
//   {"seq": 1, "cmd": "open", "id": "A", "url": "ws://…/ws/interviews/7", "room": "notes",
//    "params": {"ticket": "…"}, "tickets": ["…"], "headers": {}}
// Commands: open, edit, type_start, type_stop, state, aware, awareness, set_server, close, exit.
import readline from 'node:readline'
import WS from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'

const clients = new Map()

function socketClass (headers) {
  return class extends WS {
    constructor (url, protocols) {
      super(url, protocols, { headers })
    }
  }
}

function prng (seed) {
  // mulberry32: reproducible edits for a given seed
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function stateVector (doc) {
  const sv = {}
  for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(doc))) sv[client] = clock
  return sv
}

function waitSynced (provider, timeoutMs) {
  return new Promise((resolve, reject) => {
    if (provider.synced) return resolve()
    const timer = setTimeout(() => reject(new Error('not synced in time')), timeoutMs)
    provider.once('sync', (synced) => {
      clearTimeout(timer)
      synced ? resolve() : reject(new Error('sync false'))
    })
  })
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function randomEdit (text, random, insertOnly, alphabet) {
  const length = text.length
  if (insertOnly || length < 4 || random() < 0.7) {
    const pos = Math.floor(random() * (length + 1))
    const n = 1 + Math.floor(random() * 3)
    let s = ''
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(random() * alphabet.length)]
    text.insert(pos, s)
  } else {
    const pos = Math.floor(random() * length)
    const n = Math.min(1 + Math.floor(random() * 3), length - pos)
    text.delete(pos, n)
  }
}

const handlers = {
  // A ticket opens one socket: `tickets` are spares, one taken for each reconnection, as a
  // non-browser client fetches a fresh ticket before it connects again.
  async open ({ id, url, room, params = {}, tickets = [], headers = {}, timeout_ms: timeoutMs = 10000 }) {
    const doc = new Y.Doc()
    const provider = new WebsocketProvider(url, room, doc, {
      params,
      WebSocketPolyfill: socketClass(headers),
      disableBc: true, // clients in one process must talk through the server only
      maxBackoffTime: 500
    })
    const client = { doc, provider, closes: [], denied: 0, typing: null }
    const spare = [...tickets]
    provider.on('connection-close', (event) => {
      client.closes.push(event ? event.code : null)
      if (spare.length) provider.params = { ...provider.params, ticket: spare.shift() }
    })
    clients.set(id, client)
    await waitSynced(provider, timeoutMs)
    return { client_id: doc.clientID }
  },

  async edit ({ id, field, ops, seed = 1, interval_ms: intervalMs = 0, insert_only: insertOnly = false, alphabet = 'abcdefghij' }) {
    const { doc } = clients.get(id)
    const text = doc.getText(field)
    const random = prng(seed)
    for (let i = 0; i < ops; i++) {
      randomEdit(text, random, insertOnly, alphabet)
      if (intervalMs) await sleep(intervalMs)
      else if (i % 10 === 9) await sleep(0)
    }
    return {}
  },

  // Type unique tokens ("<prefix><n>.") at the end of a text until type_stop.
  async type_start ({ id, field, prefix, interval_ms: intervalMs = 20 }) {
    const client = clients.get(id)
    const text = client.doc.getText(field)
    const typing = { n: 0, stop: false }
    client.typing = typing
    typing.done = (async () => {
      while (!typing.stop) {
        text.insert(text.length, `${prefix}${typing.n}.`)
        typing.n++
        await sleep(intervalMs)
      }
    })()
    return {}
  },

  async type_stop ({ id }) {
    const client = clients.get(id)
    client.typing.stop = true
    await client.typing.done
    return { typed: client.typing.n }
  },

  async state ({ id }) {
    const { doc, provider, closes } = clients.get(id)
    const texts = {}
    for (const name of doc.share.keys()) texts[name] = doc.getText(name).toString()
    return {
      texts,
      sv: stateVector(doc),
      synced: provider.synced,
      connected: provider.wsconnected,
      closes,
      awareness: [...provider.awareness.getStates().keys()]
    }
  },

  async wait_synced ({ id, timeout_ms: timeoutMs = 10000 }) {
    const { provider } = clients.get(id)
    const deadline = Date.now() + timeoutMs
    while (!(provider.wsconnected && provider.synced)) {
      if (Date.now() > deadline) throw new Error('not reconnected in time')
      await sleep(20)
    }
    return {}
  },

  // Set a field of the client's own awareness state, as the app does for `user` and `cursor`.
  async aware ({ id, field, value }) {
    clients.get(id).provider.awareness.setLocalStateField(field, value)
    return {}
  },

  async awareness ({ id }) {
    const { provider, doc } = clients.get(id)
    return { client_id: doc.clientID, states: Object.fromEntries(provider.awareness.getStates()) }
  },

  async set_server ({ id, url, params }) {
    const { provider } = clients.get(id)
    provider.serverUrl = url
    if (params) provider.params = params
    if (!provider.wsconnected) {
      provider.disconnect()
      provider.connect()
    }
    return {}
  },

  async close ({ id }) {
    const { provider, doc } = clients.get(id)
    provider.destroy()
    doc.destroy()
    clients.delete(id)
    return {}
  }
}

const lines = readline.createInterface({ input: process.stdin })
for await (const line of lines) {
  if (!line.trim()) continue
  const command = JSON.parse(line)
  if (command.cmd === 'exit') break
  const handler = handlers[command.cmd]
  // Answer each command when it completes; commands for different clients may overlap.
  Promise.resolve()
    .then(() => {
      if (!handler) throw new Error(`unknown command ${command.cmd}`)
      return handler(command)
    })
    .then(
      (result) => process.stdout.write(JSON.stringify({ seq: command.seq, ok: true, ...result }) + '\n'),
      (error) => process.stdout.write(JSON.stringify({ seq: command.seq, ok: false, error: String(error) }) + '\n')
    )
}
for (const { provider } of clients.values()) provider.destroy()
process.exit(0)
