// "Practise next" as actions: ask to be the candidate on a recommended question or domain. The
// standing request carries the wish (one open request per person), so an open one is changed.
import { api } from './client'
import type { InterviewRequest, InterviewRequestInput } from './types'

export type PracticeTarget = { question: number; domain: string } | { domain: string }

/** The request body that asks for this practice, keeping a swap a swap. */
export function practiceBody(target: PracticeTarget, open?: Pick<InterviewRequest, 'role'>): InterviewRequestInput {
  return {
    role: open?.role === 'swap' ? 'swap' : 'candidate',
    question: 'question' in target ? target.question : null,
    // The domain is one the report named, so one of the API's own values.
    domains: [target.domain as Domain],
  }
}

type Domain = NonNullable<InterviewRequestInput['domains']>[number]

/** Open or change the standing request to practise the target; say which it did. */
export async function practise(target: PracticeTarget): Promise<'opened' | 'changed'> {
  const requests = await api.get('/api/interview-requests/')
  const open = requests.results.find((r) => r.status === 'open')
  const body = practiceBody(target, open)
  if (open) {
    await api.patch('/api/interview-requests/{id}/', { path: { id: open.id }, body })
    return 'changed'
  }
  await api.post('/api/interview-requests/', { body })
  return 'opened'
}
