import { useMemo } from 'react'
import type { Framework } from '../api/types'
import { timeZoneNames } from '../lib/time'
import { Field, fieldErrors } from './forms'

export interface ProfileValues {
  time_zone: string
  target_level: string
  target_role: string
  focus_domains: string[]
}

/** Time zone, target level and role, and domains: shared by sign-up and the profile page. */
export function ProfileFields({
  values,
  onChange,
  framework,
  error,
}: {
  values: ProfileValues
  onChange: (values: ProfileValues) => void
  framework: Framework
  error: unknown
}) {
  const zones = useMemo(() => {
    const names = timeZoneNames()
    return names.includes(values.time_zone) ? names : [values.time_zone, ...names]
  }, [values.time_zone])
  const domainErrors = fieldErrors(error, 'focus_domains')
  const toggleDomain = (domain: string, checked: boolean) =>
    onChange({
      ...values,
      focus_domains: checked
        ? [...values.focus_domains, domain]
        : values.focus_domains.filter((d) => d !== domain),
    })
  return (
    <>
      <Field label="Time zone" name="time_zone" error={error} hint="Every time on Sevenstep is shown in this zone.">
        {(props) => (
          <select {...props} value={values.time_zone} onChange={(e) => onChange({ ...values, time_zone: e.target.value })}>
            {zones.map((zone) => (
              <option key={zone} value={zone}>
                {zone.replaceAll('_', ' ')}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div className="row">
        <Field label="Target level" name="target_level" error={error}>
          {(props) => (
            <select {...props} value={values.target_level} onChange={(e) => onChange({ ...values, target_level: e.target.value })}>
              {framework.levels.map((level) => (
                <option key={level.value} value={level.value}>
                  {level.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Target role" name="target_role" error={error}>
          {(props) => (
            <select {...props} value={values.target_role} onChange={(e) => onChange({ ...values, target_role: e.target.value })}>
              {framework.roles.map((role) => (
                <option key={role.value} value={role.value}>
                  {role.label}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <fieldset className={domainErrors.length ? 'field-invalid' : undefined} aria-describedby={domainErrors.length ? 'domains-error' : undefined}>
        <legend>Domains you want to practise</legend>
        <div className="checks">
          {framework.domains.map((domain) => (
            <label key={domain.value} className="check">
              <input
                type="checkbox"
                name="focus_domains"
                value={domain.value}
                checked={values.focus_domains.includes(domain.value)}
                onChange={(e) => toggleDomain(domain.value, e.target.checked)}
              />
              {domain.label}
            </label>
          ))}
        </div>
        {domainErrors.length > 0 && (
          <p className="field-error" id="domains-error">
            {domainErrors.join(' ')}
          </p>
        )}
      </fieldset>
    </>
  )
}
