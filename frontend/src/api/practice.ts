// "Practise next" as actions: ask to be the candidate on a recommended question or domain. The
// standing request carries the wish (one open request per person), so an open one is changed.
import { api, type Page } from './client'
import type { InterviewRequest } from './types'

export type PracticeTarget = { question: number; domain: string } | { domain: string }

/** The request body that asks for this practice, keeping a swap a swap. */
export function practiceBody(target: PracticeTarget, open?: Pick<InterviewRequest, 'role'>) {
  return {
    role: open?.role === 'swap' ? 'swap' : 'candidate',
    question: 'question' in target ? target.question : null,
    domains: [target.domain],
  }
}

/** Open or change the standing request to practise the target; say which it did. */
export async function practise(target: PracticeTarget): Promise<'opened' | 'changed'> {
  const requests = await api.get<Page<InterviewRequest>>('/api/interview-requests/')
  const open = requests.results.find((r) => r.status === 'open')
  const body = practiceBody(target, open)
  if (open) {
    await api.patch(`/api/interview-requests/${open.id}/`, body)
    return 'changed'
  }
  await api.post('/api/interview-requests/', body)
  return 'opened'
}
