import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { MemoryRouter, Route, Routes } from 'react-router-dom'
import { afterEach, describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import type { Me } from '../api/types'
import type { Replay } from '../lib/replay'
import { MeContext } from '../lib/me'
import ReplayPage from './Replay'

const ME = { id: 1, profile: { time_zone: 'UTC' } } as unknown as Me
const STEPS = [1, 2].map((number) => ({ number, name: `Step name ${number}` }))

function replay(): Replay {
  const doc = new Y.Doc()
  const part = (moment: number, name: string, text: string) => {
    const before = Y.encodeStateVector(doc)
    doc.getText(name).insert(doc.getText(name).length, text)
    return { moment, document: 'notes' as const, update: btoa(String.fromCharCode(...Y.encodeStateAsUpdate(doc, before))) }
  }
  return {
    events: [
      { kind: 'started', step: null, at: '2026-06-01T10:00:00Z' },
      { kind: 'step_entered', step: 2, at: '2026-06-01T10:05:00Z' },
      { kind: 'ended', step: null, at: '2026-06-01T10:45:00Z' },
    ],
    parts: [part(1, 'step-1', 'users and scale'), part(2, 'step-2', 'ranking model')],
  }
}

function show() {
  const client = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } })
  client.setQueryData(['interview', 7], { id: 7, question: { title: 'Design a feed' } })
  client.setQueryData(['framework'], { steps: STEPS })
  client.setQueryData(['replay', 7], replay())
  render(
    <QueryClientProvider client={client}>
      <MeContext.Provider value={ME}>
        <MemoryRouter initialEntries={['/interviews/7/replay']}>
          <Routes>
            <Route path="/interviews/:id/replay" element={<ReplayPage me={ME} />} />
          </Routes>
        </MemoryRouter>
      </MeContext.Provider>
    </QueryClientProvider>,
  )
}

describe('the replay page', () => {
  afterEach(cleanup)

  it('opens on the last moment and steps back through the notes', () => {
    show()
    expect(screen.getByText(/Moment 3 of 3/)).toBeTruthy()
    expect(screen.getByText('ranking model')).toBeTruthy()
    fireEvent.click(screen.getByRole('button', { name: '← Previous' }))
    expect(screen.getByText(/Moment 2 of 3/)).toBeTruthy()
    expect(screen.getByText('users and scale')).toBeTruthy()
    expect(screen.queryByText('ranking model')).toBeNull()
    fireEvent.click(screen.getByRole('button', { name: '← Previous' }))
    expect(screen.queryByText('users and scale')).toBeNull()
  })
})
