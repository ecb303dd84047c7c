// A real OpenID Connect provider (the npm `oidc-provider` package) on loopback, for the browser
// tests of "sign in with ...". Its development login page accepts any login; the login names an
// account of OIDC_ACCOUNTS (JSON: {"login": {"email": ..., "email_verified": ..., "name": ...}}).
//
//   node tests/support/oidc/provider.mjs   (env: OIDC_PORT, OIDC_CLIENT_ID, OIDC_SECRET,
//                                           OIDC_REDIRECT_URI, OIDC_ACCOUNTS, NODE_MODULES)
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const modules = process.env.NODE_MODULES ?? resolve(import.meta.dirname, '../../../frontend/node_modules')
const { default: Provider } = await import(pathToFileURL(resolve(modules, 'oidc-provider/lib/index.js')).href)

const port = Number(process.env.OIDC_PORT)
const accounts = JSON.parse(process.env.OIDC_ACCOUNTS ?? '{}')
const issuer = `http://127.0.0.1:${port}`

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.OIDC_CLIENT_ID,
      client_secret: process.env.OIDC_SECRET,
      redirect_uris: [process.env.OIDC_REDIRECT_URI],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    },
  ],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // allauth asks for these with a PKCE-less code flow by default.
  pkce: { required: () => false },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, sub) {
    const account = accounts[sub]
    if (!account) return undefined
    return { accountId: sub, async claims() { return { sub, ...account } } }
  },
  cookies: { keys: ['sevenstep-test-only'] },
})
provider.proxy = false
provider.listen(port, '127.0.0.1', () => console.log(`oidc-provider listening on ${issuer}`))
