import { describe, expect, it } from 'vitest'
import { practiceBody } from './practice'

describe('practiceBody', () => {
  it('asks to be the candidate on the question, in its domain', () => {
    expect(practiceBody({ question: 7, domain: 'ads' })).toEqual({ role: 'candidate', question: 7, domains: ['ads'] })
  })

  it('asks for any question of a domain, and keeps a swap a swap', () => {
    expect(practiceBody({ domain: 'vision' }, { role: 'swap' })).toEqual({ role: 'swap', question: null, domains: ['vision'] })
    expect(practiceBody({ domain: 'vision' }, { role: 'interviewer' })).toEqual({
      role: 'candidate',
      question: null,
      domains: ['vision'],
    })
  })
})
