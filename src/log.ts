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
