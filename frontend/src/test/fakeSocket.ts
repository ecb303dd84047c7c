// A stand-in for the browser's WebSocket that the tests drive by hand: the server opens,
// sends, and drops the connection when the test says so.

export class FakeSocket {
  static instances: FakeSocket[] = []
  readyState = 0
  sent: string[] = []
  onopen: (() => void) | null = null
  onmessage: ((event: { data: unknown }) => void) | null = null
  onclose: ((event: { code: number; reason: string }) => void) | null = null
  constructor(public url: string) {
    FakeSocket.instances.push(this)
  }
  send(data: string) {
    this.sent.push(data)
  }
  close() {
    this.readyState = 3
  }
  serverOpens() {
    this.readyState = 1
    this.onopen?.()
  }
  serverSends(data: unknown) {
    this.onmessage?.({ data })
  }
  drops(code = 1006, reason = '') {
    this.readyState = 3
    this.onclose?.({ code, reason })
  }
}

export const FakeWebSocket = FakeSocket as unknown as typeof WebSocket

/** The newest socket opened. */
export function currentSocket(): FakeSocket {
  return FakeSocket.instances.at(-1)!
}
