import type { Me } from '../api/types'

export function AvailabilityPage({ me }: { me: Me }) {
  return (
    <section>
      <h1>Availability</h1>
      <p>{me.profile.display_name}</p>
    </section>
  )
}
