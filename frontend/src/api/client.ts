// The one way the app talks to the API: same origin, session cookie, CSRF header on writes,
// and every failure turned into an ApiError that carries the server's words.
import type { InitArgs, PathsWith, RequestOptions, ResponseOf } from './paths'

export type FieldErrors = Record<string, string[]>

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly fields: FieldErrors

  constructor(status: number, code: string, message: string, fields: FieldErrors = {}) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fields = fields
  }

  /** Messages for one field, also matching nested names such as "scores.3.evidence". */
  forField(name: string): string[] {
    return this.fields[name] ?? []
  }

  /** Field messages whose field is not in `shown`, so nothing the server said is lost. */
  unshown(shown: readonly string[]): string[] {
    return Object.entries(this.fields)
      .filter(([field]) => !shown.includes(field))
      .flatMap(([field, messages]) =>
        messages.map((m) => (field === 'non_field_errors' ? m : `${fieldLabel(field)}: ${m}`)),
      )
  }
}

// The words a person knows a field by, where its API name is not already that.
const FIELD_WORDS: Record<string, string> = {
  starts_at: 'start',
  ends_at: 'end',
  time_zone: 'time zone',
  max_per_week: 'interviews per week',
  focus_domains: 'domains',
  pass_level: 'would pass at level',
  old_password: 'current password',
  new_password: 'new password',
  self_assessment: 'self-assessment',
  not_reached: 'not reached',
}

/** "starts_at" → "Start", "steps.3.evidence" → "Step 4 evidence": a field as the form names it. */
export function fieldLabel(name: string): string {
  const words = name
    .split('.')
    .map((part) => (/^\d+$/.test(part) ? String(Number(part) + 1) : (FIELD_WORDS[part] ?? part.replaceAll('_', ' '))))
    .join(' ')
    // A list and an index read as one item: "steps 4" → "step 4".
    .replace(/^(\w+?)s (\d+)/, '$1 $2')
  return words.charAt(0).toUpperCase() + words.slice(1)
}

const STATUS_WORDS: Record<number, string> = {
  401: 'Please log in.',
  403: 'You may not do that.',
  404: 'Not found.',
  409: 'That conflicts with the current state.',
  413: 'That is too large.',
  429: 'Too many requests; wait a moment and try again.',
  502: 'The server is unreachable; try again shortly.',
  503: 'The server is busy; try again shortly.',
}

/** Turn any failed response body into an ApiError, whatever shape it came in. */
export function errorFromResponse(status: number, body: unknown): ApiError {
  if (body && typeof body === 'object' && 'error' in body) {
    const error = (body as { error: unknown }).error
    if (error && typeof error === 'object') {
      const e = error as { code?: unknown; message?: unknown; fields?: unknown }
      const fields: FieldErrors = {}
      if (e.fields && typeof e.fields === 'object') {
        for (const [name, messages] of Object.entries(e.fields as Record<string, unknown>)) {
          fields[name] = Array.isArray(messages) ? messages.map(String) : [String(messages)]
        }
      }
      return new ApiError(
        status,
        typeof e.code === 'string' ? e.code : 'error',
        typeof e.message === 'string' && e.message ? e.message : statusWords(status),
        fields,
      )
    }
  }
  return new ApiError(status, 'error', statusWords(status))
}

function statusWords(status: number): string {
  return STATUS_WORDS[status] ?? `The server answered with an error (${status}).`
}

export function readCookie(name: string, cookies: string = document.cookie): string | null {
  for (const part of cookies.split(';')) {
    const [key, ...rest] = part.trim().split('=')
    if (key === name) return decodeURIComponent(rest.join('='))
  }
  return null
}

async function csrfToken(): Promise<string> {
  // Django rotates the token at login, so the cookie is read fresh for every write.
  const fromCookie = readCookie('csrftoken')
  if (fromCookie) return fromCookie
  const body = (await request('GET', '/api/auth/csrf/')) as { csrf_token: string }
  return readCookie('csrftoken') ?? body.csrf_token
}

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export type { RequestOptions }

export async function request(
  method: HttpMethod,
  path: string,
  body?: unknown,
  options: RequestOptions = {},
): Promise<unknown> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers }
  if (method !== 'GET') headers['X-CSRFToken'] = await csrfToken()
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  let response: Response
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: options.signal,
    })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error
    throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection and retry.')
  }
  if (response.status === 204) return null
  const text = await response.text()
  let parsed: unknown = null
  if (text) {
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = null
    }
  }
  if (!response.ok) throw errorFromResponse(response.status, parsed)
  return parsed
}

/** "/api/interviews/{id}/" with { id: 7 } → "/api/interviews/7/", then the query string. */
export function fillPath(template: string, path: object = {}, params: object = {}): string {
  const filled = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = (path as Record<string, unknown>)[name]
    if (value === undefined || value === null) throw new Error(`No value for {${name}} in ${template}`)
    return encodeURIComponent(String(value))
  })
  return filled + query(params as Record<string, string | number | boolean | undefined | null>)
}

function call(method: HttpMethod, template: string, init: object | undefined, defaultBody?: unknown) {
  const { path, query: params, body, ...options } = (init ?? {}) as {
    path?: object
    query?: object
    body?: unknown
  } & RequestOptions
  return request(method, fillPath(template, path, params), body ?? defaultBody, options)
}

/**
 * The API, typed by its schema: `api.get('/api/interviews/{id}/', { path: { id } })` answers an
 * InterviewDetail, and a wrong path, parameter or body does not compile.
 */
export const api = {
  get: <P extends PathsWith<'get'>>(path: P, ...[init]: InitArgs<P, 'get'>) =>
    call('GET', path, init) as Promise<ResponseOf<P, 'get'>>,
  // A POST always sends a JSON body, an empty object when it has nothing to say.
  post: <P extends PathsWith<'post'>>(path: P, ...[init]: InitArgs<P, 'post'>) =>
    call('POST', path, init, {}) as Promise<ResponseOf<P, 'post'>>,
  put: <P extends PathsWith<'put'>>(path: P, ...[init]: InitArgs<P, 'put'>) =>
    call('PUT', path, init) as Promise<ResponseOf<P, 'put'>>,
  patch: <P extends PathsWith<'patch'>>(path: P, ...[init]: InitArgs<P, 'patch'>) =>
    call('PATCH', path, init) as Promise<ResponseOf<P, 'patch'>>,
  delete: <P extends PathsWith<'delete'>>(path: P, ...[init]: InitArgs<P, 'delete'>) =>
    call('DELETE', path, init) as Promise<ResponseOf<P, 'delete'>>,
}

/** Build a query string, skipping empty values. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value))
  }
  const text = search.toString()
  return text ? `?${text}` : ''
}
