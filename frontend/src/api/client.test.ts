import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, api, errorFromResponse, fieldLabel, query, readCookie } from './client'

describe('errorFromResponse', () => {
  it('keeps the code, message and per-field messages of the API error shape', () => {
    const error = errorFromResponse(400, {
      error: {
        code: 'validation_error',
        message: 'Some fields are invalid.',
        fields: { email: ['Enter a valid email address.'], 'scores.3.evidence': ['Required.'] },
      },
    })
    expect(error.status).toBe(400)
    expect(error.code).toBe('validation_error')
    expect(error.message).toBe('Some fields are invalid.')
    expect(error.forField('email')).toEqual(['Enter a valid email address.'])
    expect(error.unshown(['email'])).toEqual(['Score 4 evidence: Required.'])
  })

  it('names fields in words, not in the API’s names', () => {
    expect(fieldLabel('starts_at')).toBe('Start')
    expect(fieldLabel('steps.3.evidence')).toBe('Step 4 evidence')
    expect(fieldLabel('display_name')).toBe('Display name')
  })

  it('puts words on a body that is not in the error shape', () => {
    const error = errorFromResponse(502, '<html>Bad gateway</html>')
    expect(error.message).toMatch(/unreachable/)
    expect(errorFromResponse(418, null).message).toContain('418')
  })

  it('shows non-field errors without a field prefix', () => {
    const error = errorFromResponse(400, {
      error: { code: 'x', message: 'No.', fields: { non_field_errors: ['Overlaps another window.'] } },
    })
    expect(error.unshown([])).toEqual(['Overlaps another window.'])
  })
})

describe('request', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    document.cookie = 'csrftoken=; expires=Thu, 01 Jan 1970 00:00:00 GMT'
  })

  it('sends the CSRF cookie as a header on writes', async () => {
    document.cookie = 'csrftoken=abc123'
    const fetch = vi.fn().mockResolvedValue(new Response('{"ok": true}', { status: 200 }))
    vi.stubGlobal('fetch', fetch)
    const window = { starts_at: '2030-03-05T17:00:00Z', ends_at: '2030-03-05T19:00:00Z' }
    await expect(api.post('/api/availability/', { body: window })).resolves.toEqual({ ok: true })
    const [path, init] = fetch.mock.calls[0]
    expect(path).toBe('/api/availability/')
    expect(init.headers['X-CSRFToken']).toBe('abc123')
    expect(init.body).toBe(JSON.stringify(window))
  })

  it('fills the path parameters in and adds the query, skipping empty values', async () => {
    const fetch = vi.fn().mockImplementation(async () => new Response('{}', { status: 200 }))
    vi.stubGlobal('fetch', fetch)
    await api.get('/api/interviews/{id}/', { path: { id: 7 } })
    await api.get('/api/interviews/', { query: { when: 'upcoming', page: 2 } })
    await api.get('/api/interviews/', { query: { when: undefined } })
    expect(fetch.mock.calls.map(([path]) => path)).toEqual(['/api/interviews/7/', '/api/interviews/?when=upcoming&page=2', '/api/interviews/'])
  })

  it('sends an empty object on a POST that has no body', async () => {
    document.cookie = 'csrftoken=abc123'
    const fetch = vi.fn().mockResolvedValue(new Response(null, { status: 204 }))
    vi.stubGlobal('fetch', fetch)
    await api.post('/api/auth/logout/')
    expect(fetch.mock.calls[0][1].body).toBe('{}')
  })

  it('fetches a CSRF token first when the cookie is missing', async () => {
    const fetch = vi
      .fn()
      .mockResolvedValueOnce(new Response('{"csrf_token": "fresh"}', { status: 200 }))
      .mockResolvedValueOnce(new Response(null, { status: 204 }))
    vi.stubGlobal('fetch', fetch)
    await expect(api.post('/api/auth/logout/')).resolves.toBeNull()
    expect(fetch.mock.calls[0][0]).toBe('/api/auth/csrf/')
    expect(fetch.mock.calls[1][1].headers['X-CSRFToken']).toBe('fresh')
  })

  it('raises an ApiError with the server’s words', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn().mockResolvedValue(
        new Response(JSON.stringify({ error: { code: 'conflict', message: 'Already booked.', fields: {} } }), {
          status: 409,
        }),
      ),
    )
    const failure = api.get('/api/interviews/{id}/', { path: { id: 7 } })
    await expect(failure).rejects.toBeInstanceOf(ApiError)
    await expect(failure).rejects.toMatchObject({ status: 409, message: 'Already booked.' })
  })

  it('turns a dropped connection into a network error in words', async () => {
    vi.stubGlobal('fetch', vi.fn().mockRejectedValue(new TypeError('Failed to fetch')))
    await expect(api.get('/api/framework/')).rejects.toMatchObject({ code: 'network', status: 0 })
  })
})

describe('helpers', () => {
  it('reads a cookie among others', () => {
    expect(readCookie('csrftoken', 'a=1; csrftoken=t%3Dk; b=2')).toBe('t=k')
    expect(readCookie('missing', 'a=1')).toBeNull()
  })

  it('builds a query string without empty values', () => {
    expect(query({ when: 'upcoming', page: 2, role: '', x: undefined })).toBe('?when=upcoming&page=2')
    expect(query({})).toBe('')
  })
})
