import { useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef, useState, type FormEvent } from 'react'
import { Link, useParams } from 'react-router-dom'
import { api } from '../api/client'
import { keys } from '../api/queries'
import type { Me } from '../api/types'
import { ErrorMessage, Field, Spinner } from '../components/forms'
import { useAction } from '../lib/useAction'

/** Opened from the link in the verification email: confirms the address once. */
export function VerifyEmailPage() {
  const { key = '' } = useParams()
  const queryClient = useQueryClient()
  const { run, error } = useAction()
  const [done, setDone] = useState<string | null>(null)
  const sent = useRef(false)
  useEffect(() => {
    // Once per key, even when React runs effects twice in development.
    if (sent.current) return
    sent.current = true
    void run(async () => {
      const answer = await api.post('/api/auth/email/verify/', { body: { key } })
      setDone(answer.email)
      // The page's first /api/me/ may still be in flight with the old answer: drop it.
      await queryClient.cancelQueries({ queryKey: keys.me })
      queryClient.setQueryData<Me | null>(keys.me, (old) =>
        old ? { ...old, email: answer.email, email_verified: true, pending_email: null } : old,
      )
      await queryClient.invalidateQueries({ queryKey: keys.me })
    })
  }, [key, run, queryClient])
  return (
    <section className="narrow card">
      <h1>Confirm your email</h1>
      {error ? (
        <>
          <ErrorMessage error={error} />
          <p>
            Logged in? Ask for a new link from <Link to="/account">your account</Link>.
          </p>
        </>
      ) : done ? (
        <>
          <p role="status">Your email address {done} is verified. You can now be matched with partners.</p>
          <p>
            <Link to="/">Go to your interviews</Link>
          </p>
        </>
      ) : (
        <Spinner label="Confirming…" />
      )}
    </section>
  )
}

export function ForgotPasswordPage() {
  const [email, setEmail] = useState('')
  const [notice, setNotice] = useState<string | null>(null)
  const { run, busy, error } = useAction()
  const submit = (event: FormEvent) => {
    event.preventDefault()
    void run(async () => setNotice((await api.post('/api/auth/password/reset/', { body: { email } })).detail))
  }
  return (
    <section className="narrow card">
      <h1>Forgot your password?</h1>
      {notice ? (
        <p role="status">{notice}</p>
      ) : (
        <form onSubmit={submit} noValidate>
          <Field label="Email" name="email" error={error} hint="We email a link to choose a new password.">
            {(props) => (
              <input {...props} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />
            )}
          </Field>
          <ErrorMessage error={error} shownFields={['email']} />
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Sending…' : 'Send the link'}
          </button>
        </form>
      )}
      <p>
        <Link to="/login">Back to log in</Link>
      </p>
    </section>
  )
}

/** Opened from the link in the reset email. */
export function ResetPasswordPage() {
  const { uid = '', token = '' } = useParams()
  const [password, setPassword] = useState('')
  const [notice, setNotice] = useState<string | null>(null)
  const { run, busy, error } = useAction()
  const submit = (event: FormEvent) => {
    event.preventDefault()
    void run(async () =>
      setNotice((await api.post('/api/auth/password/reset/confirm/', { body: { uid, token, password } })).detail),
    )
  }
  return (
    <section className="narrow card">
      <h1>Choose a new password</h1>
      {notice ? (
        <>
          <p role="status">{notice}</p>
          <p>
            <Link to="/login">Log in</Link>
          </p>
        </>
      ) : (
        <form onSubmit={submit} noValidate>
          <Field label="New password" name="password" error={error} hint="At least 8 characters, not only digits.">
            {(props) => (
              <input
                {...props}
                type="password"
                autoComplete="new-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
              />
            )}
          </Field>
          <ErrorMessage error={error} shownFields={['password']} />
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Set the new password'}
          </button>
          {error ? (
            <p>
              Link expired or used? <Link to="/forgot-password">Ask for a new one</Link>.
            </p>
          ) : null}
        </form>
      )}
    </section>
  )
}
