import type { Me } from '../api/types'

export function InterviewsPage({ me }: { me: Me }) {
  return (
    <section>
      <h1>Your interviews</h1>
      <p>{me.profile.display_name}</p>
    </section>
  )
}
