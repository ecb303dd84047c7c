// What the generated schema (schema.d.ts, `npm run schema`) says about each endpoint, as types:
// the paths a method may be called on, the path and query parameters it takes, the body it
// accepts and the JSON it answers with. The client below is typed by these, so a page cannot
// ask for a path the API does not have, nor read an answer in a shape it does not send.
import type { paths } from './schema'

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'

/** The paths that answer to a method, as the schema spells them ("/api/interviews/{id}/"). */
export type PathsWith<M extends Method> = {
  [P in keyof paths]: paths[P][M] extends { responses: unknown } ? P : never
}[keyof paths]

type Operation<P extends keyof paths, M extends Method> = Extract<paths[P][M], { responses: unknown }>

type Success = 200 | 201 | 202 | 204
type JsonOf<R> = R extends { content: { 'application/json': infer J } } ? J : null

/** The JSON a successful answer carries (null for "204 No Content"). */
export type ResponseOf<P extends keyof paths, M extends Method> = {
  [C in keyof Operation<P, M>['responses'] & Success]: JsonOf<Operation<P, M>['responses'][C]>
}[keyof Operation<P, M>['responses'] & Success]

type Params<O> = O extends { parameters: infer X } ? X : never
type Part<O, K extends string> = Params<O> extends { [key in K]?: infer X } ? NonNullable<X> : never

type PathPart<O> = [Part<O, 'path'>] extends [never] ? { path?: never } : { path: Part<O, 'path'> }
type QueryPart<O> = [Part<O, 'query'>] extends [never] ? { query?: never } : { query?: Part<O, 'query'> }
type BodyOf<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never
/** The JSON body an endpoint takes. */
export type RequestBodyOf<P extends keyof paths, M extends Method> = BodyOf<Operation<P, M>>

type BodyPart<O> = [BodyOf<O>] extends [never]
  ? { body?: never }
  : undefined extends (O extends { requestBody?: infer R } ? R : never)
    ? { body?: BodyOf<O> }
    : { body: BodyOf<O> }

export interface RequestOptions {
  headers?: Record<string, string>
  signal?: AbortSignal
}

/** What one call takes besides the path: its parameters, its body, and how to send it. */
export type Init<P extends keyof paths, M extends Method> = PathPart<Operation<P, M>> &
  QueryPart<Operation<P, M>> &
  BodyPart<Operation<P, M>> &
  RequestOptions

/** The init argument, required only when the endpoint has a path parameter or a required body. */
export type InitArgs<P extends keyof paths, M extends Method> = [RequiredKeys<Init<P, M>>] extends [never]
  ? [init?: Init<P, M>]
  : [init: Init<P, M>]

type RequiredKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? never : K }[keyof T]
