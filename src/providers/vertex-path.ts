// Vertex AI publisher-model paths, as @google/genai (vertexai: true) and Anthropic's Vertex SDK send them:
//   /{version}/projects/{project}/locations/{location}/publishers/{publisher}/models/{model}:{method}
// and the express-mode form without the project and location (an API key on the global endpoint):
//   /{version}/publishers/{publisher}/models/{model}:{method}
// Sluice answers for the project and location in its own config, never the client's: the
// upstream path is rebuilt with them (vertexUpstreamPath), so a client cannot choose what project
// its calls are billed to.

export interface VertexPath {
  readonly version: string
  readonly publisher: string
  /** The model segment, still percent-encoded. */
  readonly rawModel: string
  readonly method: string
}

/** Where the upstream request is addressed: the configured project and location, or none (express mode). */
export interface VertexScope {
  readonly project: string | undefined
  readonly location: string
}

function segmentOk(segment: string | undefined): segment is string {
  return segment !== undefined && segment !== ''
}

/** The parts of a publisher-model path; undefined for any other path. */
export function parseVertexPath(path: string): VertexPath | undefined {
  const parts = path.split('/')
  // ['', version, ('projects', p, 'locations', l,)? 'publishers', publisher, 'models', 'model:method']
  const scoped = parts.length === 10
  if (!scoped && parts.length !== 6) return undefined
  if (parts[0] !== '' || !segmentOk(parts[1])) return undefined
  if (scoped && (parts[2] !== 'projects' || !segmentOk(parts[3]) || parts[4] !== 'locations' || !segmentOk(parts[5]))) return undefined
  const at = scoped ? 6 : 2
  const publisher = parts[at + 1]
  const last = parts[at + 3]
  if (parts[at] !== 'publishers' || !segmentOk(publisher) || parts[at + 2] !== 'models' || last === undefined) return undefined
  const colon = last.lastIndexOf(':')
  if (colon < 1 || colon === last.length - 1) return undefined
  return { version: parts[1], publisher, rawModel: last.slice(0, colon), method: last.slice(colon + 1) }
}

/** `path` (a publisher-model path, possibly with a query) addressed to `scope`; unchanged when it is not one. */
export function vertexUpstreamPath(path: string, scope: VertexScope): string {
  const q = path.indexOf('?')
  const bare = q === -1 ? path : path.slice(0, q)
  const parsed = parseVertexPath(bare)
  if (parsed === undefined) return path
  const resource = scope.project === undefined ? '' : `/projects/${encodeURIComponent(scope.project)}/locations/${encodeURIComponent(scope.location)}`
  const tail = `/publishers/${parsed.publisher}/models/${parsed.rawModel}:${parsed.method}`
  return `/${parsed.version}${resource}${tail}${q === -1 ? '' : path.slice(q)}`
}

/** The path of `path` with its publisher and model replaced (the version, scope and method stay). */
export function withVertexModel(path: string, publisher: string, model: string): string | undefined {
  const parsed = parseVertexPath(path)
  if (parsed === undefined) return undefined
  const prefix = path.slice(0, path.lastIndexOf('/publishers/'))
  return `${prefix}/publishers/${publisher}/models/${encodeURIComponent(model)}:${parsed.method}`
}

/**
 * A model id as decisions key on it: Google's own models by their bare id (`gemini-2.0-flash`,
 * as `publishers/google/models/…`, `google/…` and `models/…` name them too), partner models as
 * `<publisher>/<id>` (`anthropic/claude-sonnet-4@20250514`), the form @google/genai accepts.
 */
export function canonicalVertexModel(id: string): string {
  let rest = id
  const scope = /^projects\/[^/]+\/locations\/[^/]+\//.exec(rest)
  if (scope !== null) rest = rest.slice(scope[0].length)
  const publisherForm = /^publishers\/([^/]+)\/models\/([^/]+)$/.exec(rest)
  if (publisherForm !== null) rest = `${publisherForm[1]}/${publisherForm[2]}`
  if (rest.startsWith('models/')) rest = rest.slice(7)
  if (rest.startsWith('google/')) rest = rest.slice(7)
  return rest
}

/** The publisher and model segment of a canonical id. */
export function vertexPublisher(model: string): { readonly publisher: string; readonly model: string } {
  const slash = model.indexOf('/')
  return slash === -1 ? { publisher: 'google', model } : { publisher: model.slice(0, slash), model: model.slice(slash + 1) }
}
