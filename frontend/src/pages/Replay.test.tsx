import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { MemoryRouter, Route, Routes } from 'react-router-dom'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import * as Y from 'yjs'
import type { Me } from '../api/types'
import type { Recording } from '../lib/playback'
import type { Replay, ReplayScores } from '../lib/replay'
import { MeContext } from '../lib/me'
import ReplayPage from './Replay'

// The static picture is Excalidraw's exporter, which needs a real canvas; the page around it is
// what these tests read.
vi.mock('../components/ReplayBoard', () => ({
  default: ({ label }: { label: string }) => <div data-testid="replay-board-picture">{label}</div>,
}))

const ME = { id: 1, profile: { time_zone: 'UTC' } } as unknown as Me
const STEPS = [1, 2].map((number) => ({ number, name: `Step name ${number}`, budget_seconds: 270 }))

function replay(): Replay {
  const doc = new Y.Doc()
  const part = (moment: number, at: string, name: string, text: string) => {
    const before = Y.encodeStateVector(doc)
    doc.getText(name).insert(doc.getText(name).length, text)
    return { moment, at, document: 'notes' as const, update: btoa(String.fromCharCode(...Y.encodeStateAsUpdate(doc, before))) }
  }
  return {
    events: [
      { kind: 'started', step: null, at: '2026-06-01T10:00:00Z', role: null },
      { kind: 'step_entered', step: 2, at: '2026-06-01T10:05:00Z', role: null },
      { kind: 'ended', step: null, at: '2026-06-01T10:45:00Z', role: null },
    ],
    parts: [part(1, '2026-06-01T10:05:00Z', 'step-1', 'users and scale'), part(2, '2026-06-01T10:45:00Z', 'step-2', 'ranking model')],
  }
}

const ORIGIN = '2026-06-01T10:00:00Z'

function recording(voiced: boolean): Recording {
  const track = (role: string, start: number) => ({
    role, chunks: 2, bytes: 100, start_offset_ms: start, content_type: 'audio/webm', url: `/api/interviews/7/recording/tracks/${role}/`,
  })
  return {
    interview: 7,
    clock_origin: ORIGIN,
    consented: { interviewer: voiced, candidate: voiced },
    active: false,
    tracks: voiced ? [track('interviewer', 0), track('candidate', 2_000)] : [],
  }
}

/** jsdom has media elements but cannot play them: the players' calls do nothing. */
function withSilentMedia() {
  beforeEach(() => {
    vi.spyOn(HTMLMediaElement.prototype, 'play').mockImplementation(() => Promise.resolve())
    vi.spyOn(HTMLMediaElement.prototype, 'pause').mockImplementation(() => undefined)
  })
  afterEach(() => {
    cleanup()
    vi.restoreAllMocks()
  })
}

const NOT_SUBMITTED: ReplayScores = { interview: 7, state: 'not_submitted', released_by: null, steps: [] }

function show({
  voiced = false,
  events,
  data,
  scores = NOT_SUBMITTED,
}: { voiced?: boolean; events?: Replay['events']; data?: Replay; scores?: ReplayScores } = {}) {
  const client = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } })
  client.setQueryData(['interview', 7], { id: 7, question: { title: 'Design a feed', prompt: 'Design a **news feed** for 1B users.' } })
  client.setQueryData(['framework'], { steps: STEPS })
  client.setQueryData(['replay', 7], data ?? { ...replay(), ...(events ? { events } : {}) })
  client.setQueryData(['replay-scores', 7], scores)
  client.setQueryData(['replay-recording', 7], recording(voiced))
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

describe('the replay page around the notes', () => {
  afterEach(cleanup)

  it('shows the question the candidate was asked', () => {
    show()
    const prompt = screen.getByTestId('replay-prompt')
    expect(prompt.textContent).toContain('The question')
    expect(prompt.querySelector('strong')?.textContent).toBe('news feed')
  })

  it('shows the time on each step against its budget, and the steps never reached', () => {
    show()
    // Step 2 ran from 10:05 to the end at 10:45: 40 minutes of a 4 min 30 s budget.
    const step2 = screen.getByTestId('step-time-2').textContent
    expect(step2).toContain('Time on this step: 40:00 of a 4 min 30 s budget')
    expect(step2).toContain('over by 35:30')
    expect(screen.getByTestId('step-time-1').textContent).toBe('Not reached.')
  })

  it('says nothing of step times when no step was ever entered', () => {
    show({ events: [{ kind: 'started', step: null, at: ORIGIN, role: null }] })
    expect(screen.queryByTestId('step-time-1')).toBeNull()
  })
})

describe('the replay page with both voices recorded', () => {
  // The interview's clock: started at 0, step 2 entered at 0:30, ended at 0:50.
  const EVENTS: Replay['events'] = [
    { kind: 'started', step: null, at: ORIGIN, role: null },
    { kind: 'step_entered', step: 2, at: '2026-06-01T10:00:30Z', role: null },
    { kind: 'ended', step: null, at: '2026-06-01T10:00:50Z', role: null },
  ]

  withSilentMedia()

  function audio(role: string): HTMLAudioElement {
    return screen.getByTestId(`voice-${role}`) as HTMLAudioElement
  }

  it('shows one player for both voices, each at its place on the clock', () => {
    show({ voiced: true, events: EVENTS })
    expect(screen.getByRole('button', { name: 'Play' })).toBeTruthy()
    expect(screen.getByTestId('replay-clock').textContent).toMatch(/^0:00 \//)
    expect(audio('interviewer').getAttribute('src')).toBe('/api/interviews/7/recording/tracks/interviewer/')
    expect(audio('candidate').getAttribute('src')).toBe('/api/interviews/7/recording/tracks/candidate/')
    expect(screen.getByText('Interviewer from 0:00 · Candidate from 0:02')).toBeTruthy()
    // At the clock's start: the first moment, before anything was written.
    expect(screen.getByText(/Moment 1 of 3/)).toBeTruthy()
    expect(screen.queryByText('users and scale')).toBeNull()
  })

  it('seeks both voices to where a step began when the step is clicked, and the notes follow', () => {
    show({ voiced: true, events: EVENTS })
    fireEvent.click(screen.getByRole('button', { name: 'Listen from step 2' }))
    expect(screen.getByTestId('replay-clock').textContent).toMatch(/^0:30 /)
    expect(audio('interviewer').currentTime).toBe(30)
    expect(audio('candidate').currentTime).toBe(28)
    expect(screen.getByText(/Moment 2 of 3/)).toBeTruthy()
    expect(screen.getByText('users and scale')).toBeTruthy()
    expect(screen.getByTestId('replay-step-2').getAttribute('aria-current')).toBe('step')
    expect(screen.getByTestId('replay-step-1').getAttribute('aria-current')).toBeNull()
    expect(screen.getByRole('button', { name: 'Pause' })).toBeTruthy()
  })

  it('moves the notes to the latest moment at or before where the bar is put', () => {
    show({ voiced: true, events: EVENTS })
    const bar = screen.getByLabelText('Position in the recording')
    fireEvent.change(bar, { target: { value: '55000' } })
    expect(screen.getByText(/Moment 3 of 3/)).toBeTruthy()
    expect(screen.getByText('ranking model')).toBeTruthy()
    // After the end the last step entered is still the one highlighted.
    expect(screen.getByTestId('replay-step-2').getAttribute('aria-current')).toBe('step')
    fireEvent.change(bar, { target: { value: '29900' } })
    expect(screen.getByText(/Moment 1 of 3/)).toBeTruthy()
    expect(screen.queryByText('users and scale')).toBeNull()
    expect(audio('candidate').currentTime).toBeCloseTo(27.9)
  })

  it('moves the voices when a moment is picked by hand', () => {
    show({ voiced: true, events: EVENTS })
    fireEvent.click(screen.getByRole('button', { name: 'Next →' }))
    expect(screen.getByText(/Moment 2 of 3/)).toBeTruthy()
    expect(audio('interviewer').currentTime).toBe(30)
    fireEvent.click(screen.getByRole('button', { name: '← Previous' }))
    expect(screen.getByText(/Moment 1 of 3/)).toBeTruthy()
    expect(audio('interviewer').currentTime).toBe(0)
  })

  it('counts a step within its budget without a warning', () => {
    show({ voiced: true, events: EVENTS })
    const step2 = screen.getByTestId('step-time-2').textContent
    expect(step2).toBe('Time on this step: 0:20 of a 4 min 30 s budget')
  })

  it('leaves the page as it was without a recording', () => {
    show({ voiced: false, events: EVENTS })
    expect(screen.queryByTestId('replay-player')).toBeNull()
    expect(screen.queryByRole('button', { name: /Listen from/ })).toBeNull()
    expect(screen.getByText(/Moment 3 of 3/)).toBeTruthy()
  })
})

describe('the replay page within a step', () => {
  // Step 1 from 0:00 to 0:40, written at 0:10 and 0:20 (frames), then step 2 until 0:50.
  function grown(): Replay {
    const doc = new Y.Doc()
    const part = (moment: number, at: string, edit: (d: Y.Doc) => void) => {
      const before = Y.encodeStateVector(doc)
      edit(doc)
      return { moment, at, document: 'notes' as const, update: btoa(String.fromCharCode(...Y.encodeStateAsUpdate(doc, before))) }
    }
    return {
      events: [
        { kind: 'started', step: null, at: ORIGIN, role: null },
        { kind: 'step_entered', step: 1, at: ORIGIN, role: null },
        { kind: 'step_entered', step: 2, at: '2026-06-01T10:00:40Z', role: null },
        { kind: 'ended', step: null, at: '2026-06-01T10:00:50Z', role: null },
      ],
      parts: [
        part(2, '2026-06-01T10:00:10Z', (d) => d.getText('step-1').insert(0, 'users')),
        part(2, '2026-06-01T10:00:20Z', (d) => {
          d.getText('step-1').insert(5, ' at scale')
          d.getMap('board').set('t', { id: 't', type: 'text', text: 'Ranker', version: 1, versionNonce: 1 })
        }),
        part(3, '2026-06-01T10:00:50Z', (d) => d.getText('step-2').insert(0, 'ranking model')),
      ],
    }
  }

  withSilentMedia()

  it('scrubs through how the notes and the board grew within the step', async () => {
    show({ data: grown() })
    expect(screen.getByText(/Moment 6 of 6/)).toBeTruthy()
    fireEvent.change(screen.getByLabelText(/^Moment/), { target: { value: '2' } })
    expect(screen.getByText(/Moment 3 of 6/).textContent).toContain('Notes during step 1')
    expect(screen.getByText('users')).toBeTruthy()
    expect(screen.getByTestId('replay-board-summary').textContent).toBe('The board is empty.')
    const within = screen.getByLabelText(/^Within step 1/) as HTMLInputElement
    expect(within.getAttribute('min')).toBe('1')
    expect(within.getAttribute('max')).toBe('3')
    expect(within.labels?.[0].textContent).toContain('2 of 3, 0:10 into the step')
    fireEvent.change(within, { target: { value: '3' } })
    expect(screen.getByText('users at scale')).toBeTruthy()
    expect(screen.getByTestId('replay-board-summary').textContent).toBe('1 element: “Ranker”.')
    expect((await screen.findByTestId('replay-board-picture')).textContent).toBe('The diagram board 0:20 into the interview')
  })

  it('follows the voices through the frames, and moves them when scrubbed', () => {
    show({ voiced: true, data: grown() })
    const bar = screen.getByLabelText('Position in the recording')
    fireEvent.change(bar, { target: { value: '15000' } })
    expect(screen.getByText('users')).toBeTruthy()
    fireEvent.change(bar, { target: { value: '25000' } })
    expect(screen.getByText('users at scale')).toBeTruthy()
    fireEvent.change(screen.getByLabelText(/^Within step 1/), { target: { value: '2' } })
    expect((screen.getByTestId('voice-interviewer') as HTMLAudioElement).currentTime).toBe(10)
    expect(screen.getByTestId('replay-clock').textContent).toMatch(/^0:10 /)
  })

  it('leaves the board out when nothing was ever drawn', () => {
    show()
    expect(screen.queryByTestId('replay-board')).toBeNull()
  })
})

describe('the scores beside the replay', () => {
  afterEach(cleanup)

  it('shows the score of each step once the viewer may see them', () => {
    show({
      scores: {
        interview: 7,
        state: 'shown',
        released_by: null,
        steps: [
          { step: 1, score: null, not_reached: true },
          { step: 2, score: 3, not_reached: false },
        ],
      },
    })
    expect(screen.getByTestId('step-score-1').textContent).toBe('Score: not reached')
    expect(screen.getByTestId('step-score-2').textContent).toBe('Score: 3 of 4')
    expect(screen.queryByTestId('replay-scores-note')).toBeNull()
  })

  it('says when hidden scores will be released, and shows none', () => {
    show({ scores: { interview: 7, state: 'hidden', released_by: '2026-06-03T10:45:00Z', steps: [] } })
    expect(screen.queryByTestId('step-score-2')).toBeNull()
    expect(screen.getByTestId('replay-scores-note').textContent).toContain('once released')
    expect(screen.getByTestId('replay-scores-note').textContent).toContain('2026')
  })

  it('points the interviewer at the scorecard until it is submitted', () => {
    show()
    expect(screen.getByRole('link', { name: 'submit the scorecard' }).getAttribute('href')).toBe('/interviews/7/scorecard')
  })
})
