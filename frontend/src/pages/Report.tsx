import type { Me } from '../api/types'

export default function ReportPage({ me }: { me: Me }) {
  return (
    <section>
      <h1>Report</h1>
      <p>{me.profile.display_name}</p>
    </section>
  )
}
