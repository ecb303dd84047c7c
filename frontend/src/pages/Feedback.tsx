import type { Me } from '../api/types'

export function FeedbackPage({ me }: { me: Me }) {
  return (
    <section>
      <h1>Feedback</h1>
      <p>{me.profile.display_name}</p>
    </section>
  )
}
