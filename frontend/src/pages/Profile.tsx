import { useQueryClient } from '@tanstack/react-query'
import { useState, type FormEvent } from 'react'
import { api } from '../api/client'
import { keys, useFramework } from '../api/queries'
import type { Me, ProfileChange } from '../api/types'
import { CalendarFeed } from '../components/CalendarFeed'
import { ErrorMessage, Field, Loaded } from '../components/forms'
import { ProfileFields, type ProfileValues } from '../components/ProfileFields'
import { useAction } from '../lib/useAction'

export function ProfilePage({ me }: { me: Me }) {
  const framework = useFramework()
  const queryClient = useQueryClient()
  const [displayName, setDisplayName] = useState(me.profile.display_name)
  const [profile, setProfile] = useState<ProfileValues>({
    time_zone: me.profile.time_zone ?? 'UTC',
    target_level: me.profile.target_level ?? 'mid',
    target_role: me.profile.target_role ?? 'mle',
    focus_domains: [...((me.profile.focus_domains as string[] | undefined) ?? [])],
  })
  const [saved, setSaved] = useState(false)
  const { run, busy, error } = useAction()

  const submit = (event: FormEvent) => {
    event.preventDefault()
    setSaved(false)
    void run(async () => {
      const updated = await api.patch('/api/me/', {
        // The choices come from the framework's lists, so they are the API's own values.
        body: { display_name: displayName, ...profile } as ProfileChange,
      })
      queryClient.setQueryData(keys.me, updated)
      // Every page shows times in the profile zone: refetch what they show.
      await queryClient.invalidateQueries({ predicate: (q) => q.queryKey[0] !== keys.me[0] })
      setSaved(true)
    })
  }
  return (
    <>
    <section className="narrow card">
      <h1>Your profile</h1>
      <p className="muted">{me.email}</p>
      <Loaded query={framework}>
        {(fw) => (
          <form onSubmit={submit} noValidate>
            <Field label="Display name" name="display_name" error={error}>
              {(props) => <input {...props} value={displayName} onChange={(e) => setDisplayName(e.target.value)} />}
            </Field>
            <ProfileFields values={profile} onChange={setProfile} framework={fw} error={error} />
            <ErrorMessage error={error} shownFields={['display_name', 'time_zone', 'target_level', 'target_role', 'focus_domains']} />
            {saved && (
              <p className="success" role="status">
                Profile saved.
              </p>
            )}
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Saving…' : 'Save profile'}
            </button>
          </form>
        )}
      </Loaded>
    </section>
    <CalendarFeed />
    </>
  )
}
