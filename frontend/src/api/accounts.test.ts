import { describe, expect, it } from 'vitest'
import { registerAndLogIn } from './accounts'
import { ApiError, type api } from './client'

const ACCEPTED = { detail: 'If this email address is new, your account is ready: log in with it.' }
const BODY = { email: 'new@example.com', password: 'a-long-passphrase', display_name: 'New' }
const ME = { id: 7, email: 'new@example.com', is_staff: false, profile: {} }

/** A fake server: records what was posted and answers each path with its handler. */
function server(handlers: Record<string, () => unknown>) {
  const calls: [string, unknown][] = []
  const post = async (path: string, init?: { body?: unknown }) => {
    calls.push([path, init?.body])
    return handlers[path]()
  }
  return { calls, post: post as typeof api.post }
}

describe('registerAndLogIn', () => {
  it('logs a newly created account in with the password just chosen', async () => {
    const fake = server({ '/api/auth/register/': () => ACCEPTED, '/api/auth/login/': () => ME })
    const outcome = await registerAndLogIn(BODY, fake.post)
    expect(outcome).toEqual({ kind: 'signed-in', me: ME })
    expect(fake.calls).toEqual([
      ['/api/auth/register/', BODY],
      ['/api/auth/login/', { email: BODY.email, password: BODY.password }],
    ])
  })

  it('says to check the email when the address already had an account', async () => {
    const fake = server({
      '/api/auth/register/': () => ACCEPTED,
      '/api/auth/login/': () => {
        throw new ApiError(400, 'invalid_credentials', 'Email or password is incorrect.')
      },
    })
    expect(await registerAndLogIn(BODY, fake.post)).toEqual({ kind: 'check-email', message: ACCEPTED.detail })
  })

  it('shows a refused registration or a locked login as the error it is', async () => {
    const weak = server({
      '/api/auth/register/': () => {
        throw new ApiError(400, 'validation_error', 'The password is too weak.', { password: ['Too short.'] })
      },
    })
    await expect(registerAndLogIn(BODY, weak.post)).rejects.toMatchObject({ code: 'validation_error' })
    expect(weak.calls).toHaveLength(1)

    const locked = server({
      '/api/auth/register/': () => ACCEPTED,
      '/api/auth/login/': () => {
        throw new ApiError(429, 'login_locked', 'Too many failed logins for this account.')
      },
    })
    await expect(registerAndLogIn(BODY, locked.post)).rejects.toMatchObject({ code: 'login_locked' })
  })
})
