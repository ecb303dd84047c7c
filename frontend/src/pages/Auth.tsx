import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router-dom'
import { registerAndLogIn } from '../api/accounts'
import { api } from '../api/client'
import { keys, useFramework, useMe } from '../api/queries'
import type { Me } from '../api/types'
import { ErrorMessage, Field, Loaded } from '../components/forms'
import { ProfileFields, type ProfileValues } from '../components/ProfileFields'
import { ProviderButtons } from '../components/ProviderButtons'
import { browserTimeZone } from '../lib/time'
import { useAction } from '../lib/useAction'

/** Only same-site paths, so a crafted ?next= cannot send people elsewhere. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/'
}

/** After logging in, go where the user was headed; a new account without one starts at /welcome. */
function useSignedIn({ firstRun = false }: { firstRun?: boolean } = {}) {
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  return (me: Me) => {
    queryClient.setQueryData(keys.me, me)
    const next = safeNext(params.get('next'))
    navigate(firstRun && next === '/' ? '/welcome' : next, { replace: true })
  }
}

/** Why a provider sign-in came back here (accounts/adapters.py names the reasons). */
const SIGN_IN_REFUSED: Record<string, string> = {
  email_taken:
    'An account with this email already exists, but its email was never verified, so the provider could not sign you in to it. ' +
    'Log in with your password (or reset it), verify your email, then link the provider on your account page.',
  provider_failed: 'Signing in with the provider did not complete. Try again, or log in with your email and password.',
}

export function LoginPage() {
  const me = useMe()
  const [params] = useSearchParams()
  const signedIn = useSignedIn()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const { run, busy, error } = useAction()
  if (me.data) return <Navigate to={safeNext(params.get('next'))} replace />
  const refused = SIGN_IN_REFUSED[params.get('signin') ?? '']

  const submit = (event: FormEvent) => {
    event.preventDefault()
    void run(async () => signedIn(await api.post('/api/auth/login/', { body: { email, password } })))
  }
  return (
    <section className="narrow card">
      <h1>Log in</h1>
      {refused && (
        <div className="error" role="alert">
          <p>{refused}</p>
        </div>
      )}
      <form onSubmit={submit} noValidate>
        <Field label="Email" name="email" error={error}>
          {(props) => (
            <input {...props} type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
          )}
        </Field>
        <Field label="Password" name="password" error={error}>
          {(props) => (
            <input
              {...props}
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <ErrorMessage error={error} shownFields={['email', 'password']} />
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
      <ProviderButtons next={safeNext(params.get('next'))} />
      <p>
        <Link to="/forgot-password">Forgot your password?</Link>
      </p>
      <p>
        New here? <Link to={`/register${params.toString() ? `?${params}` : ''}`}>Create an account</Link>
      </p>
    </section>
  )
}

export function RegisterPage() {
  const framework = useFramework()
  const signedIn = useSignedIn({ firstRun: true })
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [displayName, setDisplayName] = useState('')
  const [profile, setProfile] = useState<ProfileValues>({
    time_zone: browserTimeZone(),
    target_level: 'mid',
    target_role: 'mle',
    focus_domains: [],
  })
  const [notice, setNotice] = useState<string | null>(null)
  const { run, busy, error } = useAction()

  const submit = (event: FormEvent) => {
    event.preventDefault()
    void run(async () => {
      const outcome = await registerAndLogIn({ email, password, display_name: displayName, ...profile })
      if (outcome.kind === 'signed-in') signedIn(outcome.me)
      else setNotice(outcome.message)
    })
  }
  const shown = ['email', 'password', 'display_name', 'time_zone', 'target_level', 'target_role', 'focus_domains']
  if (notice) {
    return (
      <section className="narrow card">
        <h1>Check your email</h1>
        <p role="status">{notice}</p>
        <p>
          If you already have an account, <Link to="/login">log in</Link> with its password.
        </p>
      </section>
    )
  }
  return (
    <section className="narrow card">
      <h1>Create an account</h1>
      <Loaded query={framework}>
        {(fw) => (
          <form onSubmit={submit} noValidate>
            <Field label="Email" name="email" error={error}>
              {(props) => <input {...props} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />}
            </Field>
            <Field label="Password" name="password" error={error} hint="At least 8 characters, not only digits.">
              {(props) => (
                <input {...props} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
              )}
            </Field>
            <Field label="Display name" name="display_name" error={error} hint="What your interview partners see.">
              {(props) => <input {...props} autoComplete="nickname" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />}
            </Field>
            <ProfileFields values={profile} onChange={setProfile} framework={fw} error={error} />
            <ErrorMessage error={error} shownFields={shown} />
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Creating…' : 'Create account'}
            </button>
          </form>
        )}
      </Loaded>
      <p>
        Already have an account? <Link to="/login">Log in</Link>
      </p>
    </section>
  )
}
