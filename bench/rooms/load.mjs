// Live-room load: real Yjs clients (yjs@13 + y-websocket@3 WebsocketProvider over `ws`),
// two per room, each editing a few times a second; measures edit-to-peer latency.
//   node load.mjs --clients clients.json --seconds 20 --rate 5 --out result.json [--mode append]
// By default each client inserts a token at a random place in the shared text (and takes back
// one of its own now and then, --deletes 0.1), after exponentially drawn pauses; --mode append
// types at the end on a fixed clock, as the earlier benchmark did.
// clients.json is what `manage.py loadtest_rooms` writes (pairs share a url + room).
import fs from 'node:fs'
import { performance } from 'node:perf_hooks'
import WS from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => (arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs), [])
)
const entries = JSON.parse(fs.readFileSync(args.clients, 'utf8'))
const seconds = Number(args.seconds || 20)
const warmup = Number(args.warmup || 3)
const rate = Number(args.rate || 5)
const appendOnly = args.mode === 'append' // the earlier benchmark: appends on a fixed clock
const deleteShare = appendOnly ? 0 : Number(args.deletes ?? 0.1)
process.setMaxListeners(0) // every provider adds an exit listener
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function socketClass (headers) {
  return class extends WS {
    constructor (url, protocols) {
      super(url, protocols, { headers })
    }
  }
}

const sentAt = new Map() // token -> performance.now() when typed
const latencies = []
let measuring = false
let sent = 0
let received = 0
let reconnects = 0

const clients = entries.map((entry, index) => {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(entry.url, entry.room, doc, {
    params: entry.params || {},
    WebSocketPolyfill: socketClass(entry.headers || {}),
    disableBc: true,
    connect: false
  })
  const text = doc.getText('step-1')
  text.observe((event) => {
    if (event.transaction.local) return
    const now = performance.now()
    for (const op of event.delta) {
      if (typeof op.insert !== 'string') continue
      for (const match of op.insert.matchAll(/(\d+):(\d+);/g)) {
        const started = sentAt.get(match[0])
        if (started === undefined) continue
        received++
        if (measuring) latencies.push(now - started)
      }
    }
  })
  provider.on('connection-close', () => { reconnects++ })
  return { index, entry, doc, provider, text, typed: 0, own: [] }
})

// Connect gradually so the handshake storm itself is not what gets measured.
const connectStart = performance.now()
for (const client of clients) {
  client.provider.connect()
  await sleep(2)
}
const deadline = performance.now() + 120000
while (clients.some((c) => !c.provider.synced)) {
  if (performance.now() > deadline) break
  await sleep(50)
}
const syncedClients = clients.filter((c) => c.provider.synced).length
const connectSeconds = (performance.now() - connectStart) / 1000

let running = true
// People do not type in step: the pause before each edit is drawn from an exponential
// distribution (mean 1/rate), so clients drift apart and bursts happen as they do in a room.
const pause = () => Math.min(-Math.log(1 - Math.random()) * (1000 / rate), 8000 / rate)
// Where an edit lands: anywhere between two tokens of the shared text (as people edit, not
// only at the end), so the server merges concurrent inserts into the middle of the document.
function boundaries (text) {
  const ends = [0]
  for (let i = text.indexOf(';'); i !== -1; i = text.indexOf(';', i + 1)) ends.push(i + 1)
  return ends
}
async function type (client) {
  await sleep(Math.random() * (1000 / rate))
  while (running) {
    const current = client.text.toString()
    if (Math.random() < deleteShare && client.own.length > 4) {
      // Now and then take back one of one's own older tokens, as people correct themselves.
      const token = client.own.splice(Math.floor(Math.random() * (client.own.length - 4)), 1)[0]
      const at = current.indexOf(token)
      if (at !== -1) client.text.delete(at, token.length)
    } else {
      const token = `${client.index}:${client.typed};`
      client.typed++
      const ends = boundaries(current)
      const at = appendOnly ? current.length : ends[Math.floor(Math.random() * ends.length)]
      sentAt.set(token, performance.now())
      client.text.insert(at, token)
      client.own.push(token)
      sent++
    }
    await sleep(appendOnly ? 1000 / rate : pause())
  }
}
const typing = clients.map(type)
await sleep(warmup * 1000)
measuring = true
console.log('measure-start')
const sentBefore = sent
const receivedBefore = received
const measureStart = performance.now()
await sleep(seconds * 1000)
measuring = false
console.log('measure-end')
const measured = (performance.now() - measureStart) / 1000
const sentMeasured = sent - sentBefore
const receivedMeasured = received - receivedBefore
running = false
await Promise.all(typing)

// Wait (up to a minute) until both clients of every room agree: a backlog drains first.
function roomTexts () {
  const rooms = new Map()
  for (const client of clients) {
    const key = `${client.entry.url}/${client.entry.room}`
    if (!rooms.has(key)) rooms.set(key, [])
    rooms.get(key).push(client.text.toString())
  }
  return rooms
}
const settleStart = performance.now()
let rooms = roomTexts()
let diverged = Infinity
while (performance.now() - settleStart < 60000) {
  await sleep(500)
  rooms = roomTexts()
  diverged = [...rooms.values()].filter((texts) => new Set(texts).size !== 1).length
  if (diverged === 0) break
}
await sleep(1000) // the last updates reach the database before the peer sees them; be generous
const settleSeconds = (performance.now() - settleStart) / 1000
const finalTexts = Object.fromEntries([...rooms].map(([key, texts]) => [key, texts[0]]))

latencies.sort((a, b) => a - b)
const pick = (q) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] : null)
const result = {
  clients: clients.length,
  synced_clients: syncedClients,
  connect_seconds: Math.round(connectSeconds * 10) / 10,
  rate_per_client: rate,
  mode: appendOnly ? 'append' : 'edit',
  sent: sent,
  sent_per_second: Math.round(sentMeasured / measured),
  delivered_per_second: Math.round(receivedMeasured / measured),
  delivered_ratio: sentMeasured ? Math.round((receivedMeasured / sentMeasured) * 1000) / 1000 : null,
  p50_ms: pick(0.5) && Math.round(pick(0.5) * 10) / 10,
  p99_ms: pick(0.99) && Math.round(pick(0.99) * 10) / 10,
  max_ms: latencies.length ? Math.round(latencies[latencies.length - 1]) : null,
  reconnects,
  diverged_rooms: diverged,
  settle_seconds: Math.round(settleSeconds * 10) / 10,
  texts: finalTexts
}
fs.writeFileSync(args.out, JSON.stringify(result))
for (const client of clients) client.provider.destroy()
process.exit(0)
