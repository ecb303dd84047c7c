import type { Me } from '../api/types'

export default function RoomPage({ me }: { me: Me }) {
  return (
    <section>
      <h1>Room</h1>
      <p>{me.profile.display_name}</p>
    </section>
  )
}
