import { useId, useState } from 'react'
import type { RubricSection, StepScoreInput } from '../api/types'
import { fieldErrors } from './forms'

export interface PitfallChoice {
  tag: string
  label: string
  description?: string
}

/** The anchored descriptors of one level, one line per criterion. */
export function LevelDescriptors({ section, level }: { section: RubricSection; level: number }) {
  return (
    <ul className="descriptors">
      {section.criteria.map((criterion) => (
        <li key={criterion.key}>
          {section.criteria.length > 1 && <span className="criterion">{criterion.title}: </span>}
          {criterion.levels[String(level)]}
        </li>
      ))}
    </ul>
  )
}

/**
 * Score one framework step against its anchored level descriptors, with evidence.
 *
 * All four levels are spelled out while the step is unscored; once it has a score (or is
 * marked not reached) only the chosen level's descriptor stays, so a filled-in scorecard
 * reads as a page instead of a wall of rubric. "Show all levels" brings the rest back.
 */
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
  const [showAll, setShowAll] = useState(false)
  const scoreErrors = [...fieldErrors(error, `steps.${index}.score`), ...fieldErrors(error, `steps.${index}.step`)]
  const evidenceErrors = fieldErrors(error, `steps.${index}.evidence`)
  const decided = row.score != null || !!row.not_reached
  const collapsed = decided && !showAll
  const chosenId = `${id}-chosen`
  return (
    <div className={`step-score${compact ? ' compact' : ''}`}>
      {/* Inputs are disabled one by one, not through the fieldset: the levels toggle stays usable on a submitted card. */}
      <fieldset aria-describedby={scoreErrors.length ? `${id}-score-error` : undefined}>
        <legend>
          Score for step {section.step}: {section.title}
        </legend>
        <div className={`levels${collapsed ? ' collapsed' : ''}`} id={`${id}-levels`}>
          {[1, 2, 3, 4].map((level) => (
            <label key={level} className={`level${row.score === level ? ' chosen' : ''}`}>
              <span className="level-head">
                <input
                  type="radio"
                  name={`${id}-score`}
                  value={level}
                  checked={row.score === level}
                  disabled={readOnly}
                  aria-describedby={collapsed && row.score === level ? chosenId : undefined}
                  onChange={() => onChange({ score: level })}
                />
                <strong>{level}</strong>
              </span>
              {!collapsed && <LevelDescriptors section={section} level={level} />}
            </label>
          ))}
        </div>
        {decided && (
          <div className="levels-summary">
            {collapsed && row.score != null && (
              <div className="chosen-descriptor" id={chosenId}>
                <span className="chosen-label">Level {row.score}:</span>
                <LevelDescriptors section={section} level={row.score} />
              </div>
            )}
            <button
              type="button"
              className="link-button"
              aria-expanded={!collapsed}
              aria-controls={`${id}-levels`}
              onClick={() => setShowAll((shown) => !shown)}
            >
              {collapsed ? 'Show all levels' : row.score != null ? `Show only level ${row.score}` : 'Hide the levels'}{' '}
              <span className="sr-only">for step {section.step}</span>
            </button>
          </div>
        )}
        <label className="check">
          <input
            type="checkbox"
            checked={row.not_reached ?? false}
            disabled={readOnly}
            onChange={(e) => onChange({ not_reached: e.target.checked })}
          />
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
