// Recognition tables compare the operation recognised; the parsed body an operation carries for
// later readers (guardrails) is checked here once, against the request's own JSON, and set aside.
import { expect } from 'vitest'
import type { NativeRequest, Recognition } from '../../src/core/wire.js'

export function withoutBody(recognition: Recognition, request: NativeRequest): Recognition {
  if (!recognition.ok || recognition.operation.body === undefined) return recognition
  expect(recognition.operation.body).toEqual(JSON.parse(request.body.toString('utf8')))
  const { body: _body, ...operation } = recognition.operation
  return { ok: true, operation }
}
