import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { cleanup, fireEvent, render, screen } from '@testing-library/react'
import { MemoryRouter, Route, Routes } from 'react-router-dom'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Me } from '../api/types'
import { VerifyBanner } from '../components/VerifyBanner'
import { ResetPasswordPage, VerifyEmailPage } from './Recovery'

/** A fake server: every call is recorded; each path answers with its [status, body]. */
function serve(answers: Record<string, [number, unknown]>) {
  const calls: { path: string; body: unknown }[] = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (path: string, init: RequestInit) => {
      calls.push({ path, body: init.body ? JSON.parse(String(init.body)) : undefined })
      const [status, body] = answers[path] ?? [404, { error: { code: 'not_found', message: 'Not found.', fields: {} } }]
      return new Response(JSON.stringify(body), { status })
    }),
  )
  return calls
}

function show(path: string, route: string, element: JSX.Element) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } })
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[path]}>
        <Routes>
          <Route path={route} element={element} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  )
}

const CSRF: [number, unknown] = [200, { csrf_token: 't' }]

describe('account recovery pages', () => {
  beforeEach(() => {
    document.cookie = 'csrftoken=t'
  })
  afterEach(() => {
    cleanup()
    vi.unstubAllGlobals()
  })

  it('sends the link’s uid and token with the new password and shows the answer', async () => {
    const calls = serve({
      '/api/auth/csrf/': CSRF,
      '/api/auth/password/reset/confirm/': [200, { detail: 'Your password is changed; log in with it.' }],
    })
    show('/reset-password/3/abc-123', '/reset-password/:uid/:token', <ResetPasswordPage />)
    fireEvent.change(screen.getByLabelText('New password'), { target: { value: 'a-new-passphrase' } })
    fireEvent.click(screen.getByRole('button', { name: 'Set the new password' }))
    expect(await screen.findByText('Your password is changed; log in with it.')).toBeTruthy()
    expect(calls.at(-1)).toEqual({
      path: '/api/auth/password/reset/confirm/',
      body: { uid: '3', token: 'abc-123', password: 'a-new-passphrase' },
    })
  })

  it('explains a used link and offers a new one', async () => {
    serve({
      '/api/auth/password/reset/confirm/': [
        400,
        { error: { code: 'invalid_link', message: 'This reset link is invalid, already used or expired.', fields: {} } },
      ],
    })
    show('/reset-password/3/old', '/reset-password/:uid/:token', <ResetPasswordPage />)
    fireEvent.change(screen.getByLabelText('New password'), { target: { value: 'a-new-passphrase' } })
    fireEvent.click(screen.getByRole('button', { name: 'Set the new password' }))
    expect((await screen.findByRole('alert')).textContent).toContain('already used or expired')
    expect(screen.getByRole('link', { name: 'Ask for a new one' }).getAttribute('href')).toBe('/forgot-password')
  })

  it('confirms the email from the link’s key once', async () => {
    const calls = serve({
      '/api/auth/email/verify/': [200, { detail: 'Your email address is verified.', email: 'a@example.com' }],
    })
    show('/verify-email/KEY:1', '/verify-email/:key', <VerifyEmailPage />)
    expect(await screen.findByText(/a@example.com is verified/)).toBeTruthy()
    expect(calls.filter((call) => call.path === '/api/auth/email/verify/')).toEqual([
      { path: '/api/auth/email/verify/', body: { key: 'KEY:1' } },
    ])
  })
})

describe('the verification banner', () => {
  afterEach(() => {
    cleanup()
    vi.unstubAllGlobals()
  })
  const me = (verified: boolean) => ({ email: 'a@example.com', email_verified: verified }) as unknown as Me

  it('is not shown once the email is verified', () => {
    show('/', '/', <VerifyBanner me={me(true)} />)
    expect(screen.queryByRole('region', { name: 'Email verification' })).toBeNull()
  })

  it('sends the link again and says so, or says why not', async () => {
    document.cookie = 'csrftoken=t'
    serve({ '/api/auth/email/resend/': [202, { detail: 'We have sent the verification link again.', email: 'a@example.com' }] })
    show('/', '/', <VerifyBanner me={me(false)} />)
    fireEvent.click(screen.getByRole('button', { name: 'Send the link again' }))
    expect(await screen.findByText('We have sent the verification link again.')).toBeTruthy()
    serve({
      '/api/auth/email/resend/': [429, { error: { code: 'resend_too_soon', message: 'A verification email was sent moments ago.', fields: {} } }],
    })
    fireEvent.click(screen.getByRole('button', { name: 'Send the link again' }))
    expect((await screen.findByRole('alert')).textContent).toContain('sent moments ago')
  })
})
