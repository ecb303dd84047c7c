import { useId } from 'react'
import type { RubricSection, StepScoreInput } from '../api/types'
import { fieldErrors } from './forms'

export interface PitfallChoice {
  tag: string
  label: string
  description?: string
}

/** Score one framework step against its anchored level descriptors, with evidence. */
export function StepScoreFields({
  section,
  row,
  index,
  onChange,
  pitfalls,
  checkedPitfalls,
  onPitfall,
  error,
  readOnly = false,
  compact = false,
}: {
  section: RubricSection
  row: StepScoreInput
  index: number
  onChange: (patch: Partial<StepScoreInput>) => void
  pitfalls: PitfallChoice[]
  checkedPitfalls: readonly string[]
  onPitfall: (tag: string, on: boolean) => void
  error?: unknown
  readOnly?: boolean
  compact?: boolean
}) {
  const id = useId()
  const scoreErrors = [...fieldErrors(error, `steps.${index}.score`), ...fieldErrors(error, `steps.${index}.step`)]
  const evidenceErrors = fieldErrors(error, `steps.${index}.evidence`)
  return (
    <div className={`step-score${compact ? ' compact' : ''}`}>
      <fieldset disabled={readOnly} aria-describedby={scoreErrors.length ? `${id}-score-error` : undefined}>
        <legend>
          Score for step {section.step}: {section.title}
        </legend>
        <div className="levels">
          {[1, 2, 3, 4].map((level) => (
            <label key={level} className={`level${row.score === level ? ' chosen' : ''}`}>
              <span className="level-head">
                <input
                  type="radio"
                  name={`${id}-score`}
                  value={level}
                  checked={row.score === level}
                  onChange={() => onChange({ score: level })}
                />
                <strong>{level}</strong>
              </span>
              <ul className="descriptors">
                {section.criteria.map((criterion) => (
                  <li key={criterion.key}>
                    {section.criteria.length > 1 && <span className="criterion">{criterion.title}: </span>}
                    {criterion.levels[String(level)]}
                  </li>
                ))}
              </ul>
            </label>
          ))}
        </div>
        <label className="check">
          <input type="checkbox" checked={row.not_reached ?? false} onChange={(e) => onChange({ not_reached: e.target.checked })} />
          The interview did not reach this step
        </label>
        {scoreErrors.length > 0 && (
          <p className="field-error" id={`${id}-score-error`}>
            {scoreErrors.join(' ')}
          </p>
        )}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-evidence`}>Evidence for step {section.step}</label>
        <textarea
          id={`${id}-evidence`}
          value={row.evidence ?? ''}
          readOnly={readOnly}
          aria-invalid={evidenceErrors.length > 0}
          aria-describedby={evidenceErrors.length ? `${id}-evidence-error` : undefined}
          placeholder="What the candidate said or did that justifies the score"
          onChange={(e) => onChange({ evidence: e.target.value })}
        />
        {evidenceErrors.length > 0 && (
          <p className="field-error" id={`${id}-evidence-error`}>
            {evidenceErrors.join(' ')}
          </p>
        )}
      </div>
      {pitfalls.length > 0 && (
        <fieldset disabled={readOnly}>
          <legend>Pitfalls seen in step {section.step}</legend>
          <div className="checks">
            {pitfalls.map((pitfall) => (
              <label key={pitfall.tag} className="check" title={pitfall.description}>
                <input
                  type="checkbox"
                  checked={checkedPitfalls.includes(pitfall.tag)}
                  onChange={(e) => onPitfall(pitfall.tag, e.target.checked)}
                />
                {pitfall.label}
              </label>
            ))}
          </div>
        </fieldset>
      )}
    </div>
  )
}
