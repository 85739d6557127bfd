// Structured JSON logs (pino). Credentials never reach the log: nothing logs headers wholesale,
// and these paths are censored as a second line of defence.
import { pino, type Logger } from 'pino'

export const REDACT_PATHS = [
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  '*.headers["x-goog-api-key"]',
  '*.headers["x-amz-security-token"]',
  'apiKey',
  '*.apiKey',
  'token',
  '*.token',
  'secretAccessKey',
  '*.secretAccessKey',
  '*.credentials',
]

export function createLogger(level: string, destination: pino.DestinationStream = pino.destination({ sync: false })): Logger {
  return pino({ level, base: { service: 'sluice' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination)
}

export type { Logger }

/**
 * The per-request decision log. Its records are assembled field by field from non-secret facts
 * (ids, names, codes, timings, token counts), so the root logger's redaction pass, which walks
 * wildcard paths on every line and cost ~10 % of a proxied request's CPU, is switched off here.
 */
export function decisionLogger(logger: Logger): Logger {
  return logger.child({}, { redact: [] })
}
