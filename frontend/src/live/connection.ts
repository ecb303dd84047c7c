// One line that tells the people in the room whether what they type is reaching the other side.

export type ChannelStatus = 'connecting' | 'connected' | 'disconnected' | 'closed'

export interface ConnectionInputs {
  online: boolean
  notes: ChannelStatus
  notesSynced: boolean
  control: ChannelStatus
  closedReason?: string | null
  retryReason?: string | null
}

export interface ConnectionSummary {
  tone: 'ok' | 'warn' | 'bad'
  text: string
}

export function summarizeConnection(inputs: ConnectionInputs): ConnectionSummary {
  if (inputs.notes === 'closed' || inputs.control === 'closed') {
    return { tone: 'bad', text: inputs.closedReason || 'The room closed the connection.' }
  }
  if (!inputs.online) {
    return { tone: 'bad', text: 'Offline — your edits are kept and sent when the network is back.' }
  }
  if (inputs.notes === 'disconnected' || inputs.control === 'disconnected') {
    if (inputs.retryReason) return { tone: 'warn', text: `${inputs.retryReason} Retrying…` }
    return { tone: 'warn', text: 'Connection lost — reconnecting…' }
  }
  if (inputs.notes === 'connecting' || inputs.control === 'connecting' || !inputs.notesSynced) {
    return { tone: 'warn', text: 'Connecting…' }
  }
  return { tone: 'ok', text: 'Connected' }
}

/** Words for the close codes the live room uses (see the server's consumers). */
export function closeReason(code: number, reason?: string): string {
  if (reason) return reason
  switch (code) {
    case 4401:
      return 'Your session has expired — log in again.'
    case 4403:
      return 'You are not allowed in this room.'
    case 4404:
      return 'This interview does not exist.'
    case 4400:
      return 'The room did not understand a message from this page — reload it.'
    case 4413:
      return 'The notes have reached their size limit.'
    case 4422:
      return 'The room refused this page’s cursor or name — reload it.'
    case 4425:
      return 'The room is not open yet: it opens a few minutes before the start.'
    case 4429:
      return 'Too many changes at once — slowing down.'
    case 1013:
      return 'This page fell behind the room — catching up.'
    default:
      return `The room closed the connection (code ${code}).`
  }
}
