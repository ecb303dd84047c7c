import type { Me } from '../api/types'

export default function ReplayPage({ me }: { me: Me }) {
  return (
    <section>
      <h1>Replay</h1>
      <p>{me.profile.display_name}</p>
    </section>
  )
}
