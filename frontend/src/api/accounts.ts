import { api, ApiError } from './client'
import type { Me } from './types'

export interface Registration {
  email: string
  password: string
  display_name: string
  [profileField: string]: unknown
}

/** What the register page shows next: the app (the account was just made) or a notice. */
export type RegisterOutcome = { kind: 'signed-in'; me: Me } | { kind: 'check-email'; message: string }

type Post = typeof api.post

/**
 * Register, then log in with the same email and password.
 *
 * The server answers a new and a taken email alike (so the form cannot tell anyone who has an
 * account) and emails the owner of a taken one. Logging in right away tells the one person who
 * knows the password: it works when the account was just created, and fails otherwise.
 */
export async function registerAndLogIn(body: Registration, post: Post = api.post): Promise<RegisterOutcome> {
  const accepted = await post('/api/auth/register/', { body })
  try {
    const me = await post('/api/auth/login/', { body: { email: body.email, password: body.password } })
    return { kind: 'signed-in', me }
  } catch (error) {
    if (error instanceof ApiError && error.code === 'invalid_credentials') {
      return { kind: 'check-email', message: accepted.detail }
    }
    throw error
  }
}
