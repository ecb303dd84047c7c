import type { Me } from '../api/types'

export function ScorecardPage({ me }: { me: Me }) {
  return (
    <section>
      <h1>Scorecard</h1>
      <p>{me.profile.display_name}</p>
    </section>
  )
}
