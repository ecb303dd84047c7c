import { useId, type ReactNode } from 'react'
import { Link } from 'react-router-dom'
import { ApiError } from '../api/client'

/** Everything the API said about a failed action, in words, where the user looks. */
export function ErrorMessage({ error, shownFields = [] }: { error: unknown; shownFields?: readonly string[] }) {
  if (!error) return null
  const message = error instanceof Error ? error.message : String(error)
  const extra = error instanceof ApiError ? error.unshown(shownFields) : []
  return (
    <div className="error" role="alert">
      <p>{message}</p>
      {extra.length > 0 && (
        <ul>
          {extra.map((text) => (
            <li key={text}>{text}</li>
          ))}
        </ul>
      )}
    </div>
  )
}

export function fieldErrors(error: unknown, name: string): string[] {
  return error instanceof ApiError ? error.forField(name) : []
}

interface FieldProps {
  label: string
  name: string
  error?: unknown
  hint?: ReactNode
  children: (props: { id: string; 'aria-invalid': boolean; 'aria-describedby'?: string; name: string }) => ReactNode
}

/** A labelled control with its hint and its server-side errors tied to it for screen readers. */
export function Field({ label, name, error, hint, children }: FieldProps) {
  const id = useId()
  const messages = fieldErrors(error, name)
  const hintId = hint ? `${id}-hint` : undefined
  const errorId = messages.length ? `${id}-error` : undefined
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined
  return (
    <div className={`field${messages.length ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, name, 'aria-invalid': messages.length > 0, 'aria-describedby': describedBy })}
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {errorId && (
        <p className="field-error" id={errorId}>
          {messages.join(' ')}
        </p>
      )}
    </div>
  )
}

/** One message for a wrong link, a bad id or someone else's interview (which answers 404 too), and a way back. */
export function NotFound() {
  return (
    <section className="not-found" role="alert" data-testid="not-found">
      <h1>Nothing to see here</h1>
      <p>This page does not exist, or what it shows is not yours to see. Check the link, or start again from your home page.</p>
      <p>
        <Link to="/">Back to your home</Link>
      </p>
    </section>
  )
}

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      {label}
    </p>
  )
}

/** The standard rendering of a query: spinner, error in words, or the content. */
export function Loaded<T>({
  query,
  children,
  label,
}: {
  query: { data: T | undefined; error: unknown; isPending: boolean }
  children: (data: T) => ReactNode
  label?: string
}) {
  if (query.error instanceof ApiError && query.error.status === 404) return <NotFound />
  if (query.error) return <ErrorMessage error={query.error} />
  if (query.isPending || query.data === undefined) return <Spinner label={label} />
  return <>{children(query.data)}</>
}
