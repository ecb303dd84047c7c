import { useQuery, useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { useNavigate } from 'react-router-dom'
import { api } from '../api/client'
import { keys } from '../api/queries'
import type { ApiTokenCreated, Me } from '../api/types'
import { ErrorMessage, Field, Loaded } from '../components/forms'
import { ProviderButtons } from '../components/ProviderButtons'
import { useAction } from '../lib/useAction'


function when(iso: string): string {
  return new Date(iso).toLocaleString()
}

function EmailSection({ me }: { me: Me }) {
  const queryClient = useQueryClient()
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [notice, setNotice] = useState<string | null>(null)
  const { run, busy, error } = useAction()
  const submit = (event: FormEvent) => {
    event.preventDefault()
    void run(async () => {
      const answer = await api.post('/api/auth/email/change/', { body: { email, password } })
      setNotice(answer.detail)
      setPassword('')
      await queryClient.invalidateQueries({ queryKey: keys.me })
    })
  }
  return (
    <section aria-labelledby="email-heading">
      <h2 id="email-heading">Email</h2>
      <p>
        {me.email} — {me.email_verified ? 'verified' : 'not verified yet'}
        {me.pending_email && <> (changing to {me.pending_email}: open the link we sent there)</>}
      </p>
      <form onSubmit={submit} noValidate>
        <Field label="New email" name="email" error={error}>
          {(props) => <input {...props} type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />}
        </Field>
        <Field label="Password to confirm" name="password" error={error}>
          {(props) => (
            <input {...props} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          )}
        </Field>
        <ErrorMessage error={error} shownFields={['email', 'password']} />
        {notice && <p role="status">{notice}</p>}
        <button type="submit" disabled={busy}>
          Change email
        </button>
      </form>
    </section>
  )
}

function PasswordSection() {
  const queryClient = useQueryClient()
  const [current, setCurrent] = useState('')
  const [next, setNext] = useState('')
  const [notice, setNotice] = useState<string | null>(null)
  const { run, busy, error } = useAction()
  const submit = (event: FormEvent) => {
    event.preventDefault()
    void run(async () => {
      const answer = await api.post('/api/auth/password/change/', {
        body: { current_password: current, new_password: next },
      })
      setNotice(answer.detail)
      setCurrent('')
      setNext('')
      await queryClient.invalidateQueries({ queryKey: keys.sessions })
    })
  }
  return (
    <section aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      <form onSubmit={submit} noValidate>
        <Field label="Current password" name="current_password" error={error}>
          {(props) => (
            <input {...props} type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />
          )}
        </Field>
        <Field label="New password" name="new_password" error={error} hint="Your other sessions are logged out.">
          {(props) => (
            <input {...props} type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />
          )}
        </Field>
        <ErrorMessage error={error} shownFields={['current_password', 'new_password']} />
        {notice && <p role="status">{notice}</p>}
        <button type="submit" disabled={busy}>
          Change password
        </button>
      </form>
    </section>
  )
}

function SessionsSection() {
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  const sessions = useQuery({ queryKey: keys.sessions, queryFn: () => api.get('/api/auth/sessions/') })
  const { run, busy, error } = useAction()
  const end = (id: number) =>
    void run(async () => {
      await api.delete('/api/auth/sessions/{session_id}/', { path: { session_id: id } })
      await queryClient.invalidateQueries({ queryKey: keys.sessions })
    })
  const everywhere = () =>
    void run(async () => {
      await api.delete('/api/auth/sessions/')
      queryClient.clear()
      queryClient.setQueryData(keys.me, null)
      navigate('/login')
    })
  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Sessions</h2>
      <Loaded query={sessions}>
        {(page) => (
          <ul className="plain-list">
            {page.results.map((session) => (
              <li key={session.id}>
                <strong>{session.device || 'Unknown device'}</strong> from {session.ip}, last seen {when(session.last_seen_at)}
                {session.current ? (
                  <> (this browser)</>
                ) : (
                  <button type="button" className="link-button" disabled={busy} onClick={() => end(session.id)}>
                    End
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </Loaded>
      <ErrorMessage error={error} />
      <button type="button" disabled={busy} onClick={everywhere}>
        Log out everywhere
      </button>
    </section>
  )
}

function TokensSection() {
  const queryClient = useQueryClient()
  const tokens = useQuery({ queryKey: keys.tokens, queryFn: () => api.get('/api/auth/tokens/') })
  const [name, setName] = useState('')
  const [days, setDays] = useState('30')
  const [created, setCreated] = useState<ApiTokenCreated | null>(null)
  const { run, busy, error } = useAction()
  const create = (event: FormEvent) => {
    event.preventDefault()
    void run(async () => {
      setCreated(await api.post('/api/auth/tokens/', { body: { name, expires_in_days: Number(days) } }))
      setName('')
      await queryClient.invalidateQueries({ queryKey: keys.tokens })
    })
  }
  const revoke = (id: number) =>
    void run(async () => {
      await api.delete('/api/auth/tokens/{token_id}/', { path: { token_id: id } })
      await queryClient.invalidateQueries({ queryKey: keys.tokens })
    })
  return (
    <section aria-labelledby="tokens-heading">
      <h2 id="tokens-heading">API tokens</h2>
      <Loaded query={tokens}>
        {(page) =>
          page.results.length === 0 ? (
            <p>No tokens.</p>
          ) : (
            <ul className="plain-list">
              {page.results.map((token) => (
                <li key={token.id}>
                  <strong>{token.name}</strong> ({token.prefix}…), ends {when(token.expires_at)}
                  <button type="button" className="link-button" disabled={busy} onClick={() => revoke(token.id)}>
                    Revoke {token.name}
                  </button>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
      {created && (
        <p role="status">
          Token “{created.name}”: <code>{created.token}</code> — copy it now, it is shown only once.
        </p>
      )}
      <form onSubmit={create} noValidate>
        <Field label="Token name" name="name" error={error}>
          {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <Field label="Days until it ends" name="expires_in_days" error={error}>
          {(props) => <input {...props} type="number" min={1} value={days} onChange={(e) => setDays(e.target.value)} />}
        </Field>
        <ErrorMessage error={error} shownFields={['name', 'expires_in_days']} />
        <button type="submit" disabled={busy}>
          Create token
        </button>
      </form>
    </section>
  )
}


function LinkedSection() {
  const queryClient = useQueryClient()
  const linked = useQuery({ queryKey: keys.linked, queryFn: () => api.get('/api/auth/social/') })
  const { run, busy, error } = useAction()
  const unlink = (id: number) =>
    void run(async () => {
      await api.delete('/api/auth/social/{account_id}/', { path: { account_id: id } })
      await queryClient.invalidateQueries({ queryKey: keys.linked })
    })
  return (
    <section aria-labelledby="linked-heading">
      <h2 id="linked-heading">Linked sign-ins</h2>
      <Loaded query={linked}>
        {({ results: accounts }) =>
          accounts.length === 0 ? (
            <p>No provider is linked.</p>
          ) : (
            <ul className="plain-list">
              {accounts.map((account) => (
                <li key={account.id}>
                  <strong>{account.provider}</strong> since {when(account.date_joined)}
                  <button type="button" className="link-button" disabled={busy} onClick={() => unlink(account.id)}>
                    Unlink {account.provider}
                  </button>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
      <ErrorMessage error={error} />
      <ProviderButtons connect next="/account" />
    </section>
  )
}

function DeleteSection() {
  const queryClient = useQueryClient()
  const navigate = useNavigate()
  const [password, setPassword] = useState('')
  const [sure, setSure] = useState(false)
  const { run, busy, error } = useAction()
  const submit = (event: FormEvent) => {
    event.preventDefault()
    void run(async () => {
      await api.post('/api/me/delete/', { body: { password } })
      queryClient.clear()
      queryClient.setQueryData(keys.me, null)
      navigate('/login')
    })
  }
  return (
    <section aria-labelledby="delete-heading">
      <h2 id="delete-heading">Delete account</h2>
      <p>Your personal data is deleted; partners keep their past interviews with you, anonymised. This cannot be undone.</p>
      <form onSubmit={submit} noValidate>
        <Field label="Password to delete" name="password" error={error}>
          {(props) => (
            <input {...props} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          )}
        </Field>
        <label className="check">
          <input type="checkbox" checked={sure} onChange={(e) => setSure(e.target.checked)} /> I understand my account is deleted for good
        </label>
        <ErrorMessage error={error} shownFields={['password']} />
        <button type="submit" className="danger" disabled={busy || !sure}>
          Delete my account
        </button>
      </form>
    </section>
  )
}

export function AccountPage({ me }: { me: Me }) {
  return (
    <section className="narrow">
      <h1>Account</h1>
      <EmailSection me={me} />
      <PasswordSection />
      <SessionsSection />
      <TokensSection />
      <LinkedSection />
      <DeleteSection />
    </section>
  )
}
