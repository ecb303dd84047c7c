import { WEAKEST_MEANING, inTen, type WeakestView } from '../lib/report'

/** The weakest-step claim: one sentence with its probability, what "weakest" means, the runners-up. */
export function WeakestStep({ weakest }: { weakest: WeakestView }) {
  return (
    <>
      <p data-testid="weakest" className={weakest.named ? undefined : 'muted'}>
        {weakest.sentence}
      </p>
      <p className="muted small" data-testid="weakest-meaning">
        {WEAKEST_MEANING}
      </p>
      {weakest.candidates.length > 1 && (
        <ul aria-label="How likely each step is your weakest">
          {weakest.candidates.map((c) => (
            <li key={c.step}>
              {c.step}. {c.name}: {inTen(c.probability)} ({Math.round(c.probability * 100)}%)
            </li>
          ))}
        </ul>
      )}
    </>
  )
}
