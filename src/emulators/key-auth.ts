// API-key auth shared by the Gemini, Llama and OpenAI emulators.
import { headerValue } from '../providers/sigv4-header.js'
import type { EmulatorRequest, JsonReply } from './server.js'

export interface KeyAuth {
  readonly apiKey: string
}

/** Checks `Authorization: Bearer <apiKey>`; `refuse` renders the refusal in the caller's dialect. */
export function checkBearer(request: EmulatorRequest, apiKey: string, refuse: (message: string) => JsonReply): JsonReply | undefined {
  const authorization = headerValue(request.headers.authorization)
  if (authorization === undefined || !authorization.startsWith('Bearer ')) {
    return refuse("You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth.")
  }
  return authorization.slice(7) === apiKey ? undefined : refuse('Incorrect API key provided.')
}
