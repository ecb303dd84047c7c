import { useQuery } from '@tanstack/react-query'
import { useEffect, useState } from 'react'
import { api, readCookie } from '../api/client'
import { keys } from '../api/queries'

/** The CSRF token for a plain form post (allauth's provider login is a browser redirect flow). */
function useCsrf(): string {
  const [token, setToken] = useState(() => readCookie('csrftoken') ?? '')
  useEffect(() => {
    if (!token) void api.get('/api/auth/csrf/').then((body) => setToken(body.csrf_token))
  }, [token])
  return token
}

export function useProviders() {
  return useQuery({
    queryKey: keys.providers,
    queryFn: async () => (await api.get('/api/auth/providers/')).providers,
    staleTime: Infinity,
  })
}

/** One form per configured provider: sign in (or, with connect, link it to this account). */
export function ProviderButtons({ connect = false, next = '/' }: { connect?: boolean; next?: string }) {
  const providers = useProviders()
  const csrf = useCsrf()
  if (!providers.data?.length) return null
  return (
    <div className="providers">
      {providers.data.map((provider) => (
        <form key={provider.id} method="post" action={provider.login_url}>
          <input type="hidden" name="csrfmiddlewaretoken" value={csrf} />
          <input type="hidden" name="next" value={next} />
          {connect && <input type="hidden" name="process" value="connect" />}
          <button type="submit" disabled={!csrf}>
            {connect ? `Link ${provider.name}` : `Sign in with ${provider.name}`}
          </button>
        </form>
      ))}
    </div>
  )
}
