import { Link } from 'react-router-dom'
import { useFramework } from '../api/queries'
import type { Framework } from '../api/types'
import { Loaded } from '../components/forms'
import { formatDuration } from '../lib/time'

/** How a practice session works, in a minute's reading: shared by the landing and first-run pages. */
function HowItWorks({ framework }: { framework: Framework }) {
  return (
    <>
      <section className="card" aria-labelledby="session-title">
        <h2 id="session-title">A session</h2>
        <p>
          You are paired with another engineer for {framework.interview_minutes} minutes: one interviews, the other designs a
          machine-learning system out loud. Ask for a swap and you trade roles right after, in a second half. You meet in a room
          with shared notes, a diagram board and a voice call; the interviewer also has the question’s guide and private notes.
        </p>
      </section>
      <section className="card" aria-labelledby="steps-title">
        <h2 id="steps-title">The 7 steps</h2>
        <p>Every interview walks the same framework, each step with a time budget:</p>
        <ol className="step-list">
          {framework.steps.map((step) => (
            <li key={step.number}>
              <strong>{step.name}</strong> <span className="muted">(about {formatDuration(step.budget_seconds)})</span>
              <br />
              <span className="muted">{step.covers}</span>
            </li>
          ))}
        </ol>
      </section>
      <section className="card" aria-labelledby="scores-title">
        <h2 id="scores-title">Scores and reports</h2>
        <p>
          After the interview the interviewer scores each step from 1 to 4 against a written rubric, with evidence, and the
          candidate rates the interviewer. Each sees the other’s once both have submitted, or when the deadline passes, so
          neither is swayed by the other.
        </p>
        <p>
          Your weakness report combines every scorecard you received: per step, an estimate corrected for how lenient each
          interviewer is, with an honest band while there are few ratings, the trend, your time on each step, the pitfalls you
          repeat and the questions to practise next.
        </p>
      </section>
    </>
  )
}

/** The public page at / for people who are not logged in. */
export function LandingPage() {
  const framework = useFramework()
  return (
    <section className="welcome">
      <h1>Practise ML system design interviews with peers</h1>
      <p className="lead">
        Sevenstep pairs you with other engineers for mock machine-learning system design interviews, scores you step by step,
        and shows where you are weak.
      </p>
      <p className="actions">
        <Link className="button primary" to="/register">
          Create an account
        </Link>
        <Link className="button" to="/login">
          Log in
        </Link>
      </p>
      <Loaded query={framework}>{(fw) => <HowItWorks framework={fw} />}</Loaded>
    </section>
  )
}

/** The first-run page a new account lands on. */
export function WelcomePage() {
  const framework = useFramework()
  return (
    <section className="welcome">
      <h1>Welcome to Sevenstep</h1>
      <p className="lead">Here is how practice works. It takes a minute to read; you can come back to it from your home page.</p>
      <Loaded query={framework}>{(fw) => <HowItWorks framework={fw} />}</Loaded>
      <section className="card" aria-labelledby="start-title">
        <h2 id="start-title">Get started</h2>
        <p>
          Publish the times you are free and ask to be paired: a matching run books you with someone near your level, or match
          now with whoever is waiting.
        </p>
        <p className="actions">
          <Link className="button primary" to="/availability">
            Publish your availability
          </Link>
          <Link className="button" to="/">
            Go to your interviews
          </Link>
        </p>
      </section>
    </section>
  )
}
