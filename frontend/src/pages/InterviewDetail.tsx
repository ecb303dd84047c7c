import type { Me } from '../api/types'

export function InterviewDetailPage({ me }: { me: Me }) {
  return (
    <section>
      <h1>InterviewDetail</h1>
      <p>{me.profile.display_name}</p>
    </section>
  )
}
