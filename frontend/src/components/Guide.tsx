import type { GuideStep } from '../api/interviews'

/** One step of the interviewer guide: what a strong answer covers, follow-ups, red flags. */
export function GuideStepView({ guide }: { guide: GuideStep }) {
  return (
    <div className="guide">
      {guide.covers?.length ? (
        <>
          <h3>A strong answer covers</h3>
          <ul>{guide.covers.map((c) => <li key={c}>{c}</li>)}</ul>
        </>
      ) : null}
      {guide.follow_ups?.length ? (
        <>
          <h3>Follow-ups</h3>
          <ul>{guide.follow_ups.map((c) => <li key={c}>{c}</li>)}</ul>
        </>
      ) : null}
      {guide.red_flags?.length ? (
        <>
          <h3>Red flags</h3>
          <ul>{guide.red_flags.map((c) => <li key={c}>{c}</li>)}</ul>
        </>
      ) : null}
    </div>
  )
}
