import { useState } from 'react'
import { api } from '../api/client'
import type { Me } from '../api/types'
import { useAction } from '../lib/useAction'
import { ErrorMessage } from './forms'

/** Until the email is verified the user is not matched; say so on every page, with a resend. */
export function VerifyBanner({ me }: { me: Me }) {
  const [sent, setSent] = useState<string | null>(null)
  const { run, busy, error } = useAction()
  if (me.email_verified) return null
  const resend = () =>
    void run(async () => setSent((await api.post('/api/auth/email/resend/')).detail))
  return (
    <div className="banner" role="region" aria-label="Email verification">
      <p>
        Confirm your email address {me.email} to be matched with partners: open the link we emailed you.{' '}
        <button type="button" className="link-button" disabled={busy} onClick={resend}>
          Send the link again
        </button>
      </p>
      {sent && <p role="status">{sent}</p>}
      <ErrorMessage error={error} />
    </div>
  )
}
