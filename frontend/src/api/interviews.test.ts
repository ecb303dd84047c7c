import { describe, expect, it } from 'vitest'
import type { Me } from './types'
import { heldTimes, roomGuideFor, roomIsOpen, secondHalfText, statusLabel, type InterviewDetail } from './interviews'

const OPENS = '2030-03-05T16:35:00Z'
const at = (iso: string) => Date.parse(iso)

describe('roomIsOpen', () => {
  it('opens a scheduled interview at the time the server sent, not before', () => {
    const interview = { status: 'scheduled' as const, room_opens_at: OPENS }
    expect(roomIsOpen(interview, at('2030-03-05T16:34:59Z'))).toBe(false)
    expect(roomIsOpen(interview, at(OPENS))).toBe(true)
  })

  it('is open while live and closed once the interview is over or cancelled', () => {
    const before = at('2030-03-01T00:00:00Z')
    expect(roomIsOpen({ status: 'live', room_opens_at: OPENS }, before)).toBe(true)
    expect(roomIsOpen({ status: 'completed', room_opens_at: OPENS }, at('2030-03-06T00:00:00Z'))).toBe(false)
    expect(roomIsOpen({ status: 'cancelled', room_opens_at: OPENS }, at('2030-03-05T17:00:00Z'))).toBe(false)
  })
})

describe('roomGuideFor', () => {
  const step1 = { covers: ['objective'], follow_ups: [], red_flags: [] }
  const sentToPrepare = (status: string) =>
    ({ status, room_opens_at: OPENS, guide: { '1': step1 } }) as unknown as InterviewDetail

  it('keeps the guide the API sent for preparation out of the room until it opens', () => {
    expect(roomGuideFor(sentToPrepare('scheduled'), 1, at('2030-03-04T17:00:00Z'))).toBeNull()
    expect(roomGuideFor(sentToPrepare('scheduled'), 1, at('2030-03-05T16:34:59Z'))).toBeNull()
    expect(roomGuideFor(sentToPrepare('scheduled'), 1, at(OPENS))).toEqual(step1)
  })

  it('shows it while live and after the end', () => {
    expect(roomGuideFor(sentToPrepare('live'), 1, at('2030-03-01T00:00:00Z'))).toEqual(step1)
    expect(roomGuideFor(sentToPrepare('completed'), 1, at('2030-03-06T00:00:00Z'))).toEqual(step1)
  })
})

describe('heldTimes', () => {
  it('gives the real start and end of an interview that ran', () => {
    expect(heldTimes({ started_at: '2030-03-05T16:57:00Z', ended_at: '2030-03-05T17:20:00Z' })).toEqual({
      from: '2030-03-05T16:57:00Z',
      to: '2030-03-05T17:20:00Z',
    })
  })

  it('gives nothing for one that never ran or is still running', () => {
    expect(heldTimes({ started_at: null, ended_at: null })).toBeNull()
    expect(heldTimes({ started_at: '2030-03-05T16:57:00Z', ended_at: null })).toBeNull()
  })
})

describe('secondHalfText', () => {
  const me = { id: 1 } as unknown as Me
  const half = (interviewer: number, candidate: number) =>
    ({ interviewer: { id: interviewer, display_name: 'Ada' }, candidate: { id: candidate, display_name: 'Chen' } }) as unknown as InterviewDetail

  it("tells the first half's interviewer that they take the candidate's seat next", () => {
    expect(secondHalfText(half(1, 2), me)).toBe('Now Chen interviews you, on a question new to you.')
  })

  it("tells the first half's candidate that they interview next", () => {
    expect(secondHalfText(half(2, 1), me)).toBe('Now you interview Ada, on a question new to them.')
  })
})

describe('statusLabel', () => {
  it('names every status the API sends in words', () => {
    expect(statusLabel('live')).toBe('Live now')
    expect(statusLabel('no_show')).toBe('No-show')
  })

  it('shows a status this app does not know yet as the server sent it', () => {
    expect(statusLabel('paused')).toBe('paused')
    expect(statusLabel('toString')).toBe('toString')
    expect(statusLabel(undefined)).toBeUndefined()
  })
})
