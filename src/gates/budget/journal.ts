// The ledger's crash journal (docs/budgets.md, "Crash"): a local append-only file that makes
// every call's spend survive `kill -9`, whatever the spend store. It holds, per spend key (scope
// and window), the nano-USD the spend store has not confirmed yet: reservations of calls in
// flight plus settled spend not yet synced. Each line is one JSON array of deltas,
// `[scopeKey, windowKey, nanos, expiresAtMs, …]`. Lines committed in one event-loop iteration are
// written together with one write(2) when it ends (a `setImmediate`, queued by the first commit;
// undici writes an upstream request from a later immediate, so a reservation's line reaches the
// file before its request leaves):
//
// - reserve: +estimate on each scope the call counts toward, before the call goes out;
// - settle: −estimate where it was reserved, +actual cost where it is charged;
// - sync: −amount once the spend store acknowledged that amount.
//
// The journal's content is the sum of its lines, so a crash at any point leaves the right amount
// to recover: a call in flight counts its estimate (over-counted if it would have cost less), a
// settled call its cost. At startup the next process sums every journal in the directory and
// sends the positive amounts to the spend store. No fsync: like budgets.db (synchronous=NORMAL),
// what write(2) returned survives a process crash; a power loss can lose the last lines.
import { randomBytes } from 'node:crypto'
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'

/** An amount the spend store has not confirmed yet. */
export interface JournalEntry {
  readonly scopeKey: string
  readonly windowKey: string
  readonly nanos: number
  readonly expiresAtMs: number
}

interface Amount {
  readonly scopeKey: string
  readonly windowKey: string
  nanos: number
  expiresAtMs: number
}

export interface SpendJournalOptions {
  /** Called on the first failed write after a good one (not once per request). */
  readonly onError?: (error: unknown) => void
  /** Rewrite the file as a snapshot of its sum once this much was appended. Default 1 MiB. */
  readonly compactBytes?: number
}

export interface JournalHealth {
  readonly path: string
  readonly ok: boolean
  readonly error: string | undefined
}

const PREFIX = 'budgets-journal-'
const SUFFIX = '.log'
const MAX_PREFIXES = 4096
const isJournal = (name: string): boolean => name.startsWith(PREFIX) && name.endsWith(SUFFIX)

export class SpendJournal {
  readonly path: string
  /** What earlier processes left unconfirmed; the ledger sends it to the spend store and confirms it. */
  readonly recovered: readonly JournalEntry[]
  #fd: number | undefined
  /** The deltas queued for the next `commit`, as the JSON array's members. */
  #line = ''
  /** `"scopeKey","windowKey",` per spend key, so a delta's line is not serialised from scratch. */
  readonly #prefixes = new Map<string, string>()
  /** Lines committed in this event-loop iteration, written by `flush`. */
  #pending = ''
  #flushing: NodeJS.Immediate | undefined
  readonly #amounts: Map<string, Amount>
  #bytes = 0
  #error: string | undefined
  readonly #compactBytes: number
  readonly #onError: (error: unknown) => void

  private constructor(path: string, amounts: Map<string, Amount>, options: SpendJournalOptions) {
    this.path = path
    this.#amounts = amounts
    this.#compactBytes = options.compactBytes ?? 1 << 20
    this.#onError = options.onError ?? (() => undefined)
    this.recovered = [...amounts.values()].map(({ scopeKey, windowKey, nanos, expiresAtMs }) => ({ scopeKey, windowKey, nanos, expiresAtMs }))
  }

  /**
   * Sums every journal in `directory` (left by earlier processes, crashed or not), starts this
   * process's own file holding that sum, then removes the old files. A crash in between leaves
   * both, which counts the old amounts twice: over, never under.
   */
  static open(directory: string, options: SpendJournalOptions = {}): SpendJournal {
    mkdirSync(directory, { recursive: true })
    const old = readdirSync(directory).filter(isJournal)
    const amounts = new Map<string, Amount>()
    for (const name of old) replay(readFileSync(join(directory, name), 'utf8'), amounts)
    for (const [key, amount] of amounts) if (amount.nanos <= 0) amounts.delete(key)
    const id = `${String(process.pid)}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`
    const journal = new SpendJournal(join(directory, `${PREFIX}${id}${SUFFIX}`), amounts, options)
    journal.#rewrite()
    for (const name of old) unlinkIfThere(join(directory, name))
    for (const name of readdirSync(directory)) if (name.startsWith(PREFIX) && name.endsWith('.tmp')) unlinkIfThere(join(directory, name))
    return journal
  }

  /** Queues one delta for the next `commit` (0 is skipped). */
  add(scopeKey: string, windowKey: string, nanos: number, expiresAtMs: number): void {
    if (nanos === 0) return
    const key = `${scopeKey}|${windowKey}`
    let prefix = this.#prefixes.get(key)
    if (prefix === undefined) {
      // Windows roll over, so keys keep coming: a full cache starts again rather than growing.
      if (this.#prefixes.size >= MAX_PREFIXES) this.#prefixes.clear()
      prefix = `${JSON.stringify(scopeKey)},${JSON.stringify(windowKey)},`
      this.#prefixes.set(key, prefix)
    }
    this.#line += `${this.#line === '' ? '' : ','}${prefix}${jsonNumber(nanos)},${jsonNumber(expiresAtMs)}`
    const amount = this.#amounts.get(key)
    if (amount === undefined) this.#amounts.set(key, { scopeKey, windowKey, nanos, expiresAtMs })
    else {
      amount.nanos += nanos
      if (expiresAtMs > amount.expiresAtMs) amount.expiresAtMs = expiresAtMs
      if (amount.nanos === 0) this.#amounts.delete(key)
    }
  }

  /**
   * Ends the queued deltas' line; it is written with the iteration's other lines when the
   * iteration ends (`flush`). A failure is reported, never thrown: the call goes on.
   */
  commit(): void {
    if (this.#line === '') return
    this.#pending += `[${this.#line}]\n`
    this.#line = ''
    this.#flushing ??= setImmediate(this.#flush)
  }

  /** Writes every committed line now, with one write(2). */
  flush(): void {
    if (this.#flushing !== undefined) clearImmediate(this.#flushing)
    this.#flushing = undefined
    if (this.#pending === '') return
    if (this.#fd === undefined) {
      this.#pending = '' // closed: nothing is written any more, so nothing may pile up
      return
    }
    // After a failed write the file may end in part of a line: start a fresh one.
    const text = this.#error === undefined ? this.#pending : `\n${this.#pending}`
    this.#pending = ''
    try {
      const bytes = Buffer.from(text)
      if (writeSync(this.#fd, bytes) < bytes.length) throw new Error(`short write to ${this.path} (disk full?)`)
      this.#bytes += bytes.length
      this.#error = undefined
    } catch (error) {
      if (this.#error === undefined) this.#onError(error)
      this.#error = String(error)
    }
  }

  readonly #flush = (): void => this.flush()

  /** Rewrites the file as one line of its sum when it has grown past the threshold (off the request path). */
  compact(nowMs: number): void {
    if (this.#bytes < this.#compactBytes || this.#fd === undefined) return
    // A window past its expiry takes no more spend, and the store drops it.
    for (const [key, amount] of this.#amounts) if (amount.expiresAtMs < nowMs) this.#amounts.delete(key)
    try {
      this.#rewrite()
    } catch (error) {
      if (this.#error === undefined) this.#onError(error)
      this.#error = String(error)
    }
  }

  /** Unconfirmed amounts now, for tests and health. */
  amounts(): JournalEntry[] {
    return [...this.#amounts.values()].map(({ scopeKey, windowKey, nanos, expiresAtMs }) => ({ scopeKey, windowKey, nanos, expiresAtMs }))
  }

  health(): JournalHealth {
    return { path: this.path, ok: this.#error === undefined, error: this.#error }
  }

  /** Closes the file; removes it when nothing is left unconfirmed (a clean shutdown after the last sync). */
  close(): void {
    if (this.#fd === undefined) return
    this.commit()
    this.flush()
    closeSync(this.#fd)
    this.#fd = undefined
    let owed = false
    for (const amount of this.#amounts.values()) if (amount.nanos > 0) owed = true
    if (!owed) unlinkIfThere(this.path)
  }

  /**
   * The file becomes one line of the current sum: written aside, renamed over (atomic), reopened
   * for appends. The sum already holds every committed line's deltas, so those not yet written are dropped.
   */
  #rewrite(): void {
    if (this.#flushing !== undefined) clearImmediate(this.#flushing)
    this.#flushing = undefined
    this.#pending = ''
    this.#line = ''
    const line: (string | number)[] = []
    for (const { scopeKey, windowKey, nanos, expiresAtMs } of this.#amounts.values()) line.push(scopeKey, windowKey, nanos, expiresAtMs)
    const tmp = `${this.path}.tmp`
    writeFileSync(tmp, line.length === 0 ? '' : `${JSON.stringify(line)}\n`)
    renameSync(tmp, this.path)
    if (this.#fd !== undefined) closeSync(this.#fd)
    this.#fd = openSync(this.path, 'a')
    this.#bytes = 0
  }
}

/** A number as JSON.stringify writes it (null for NaN and infinities, which replay then skips). */
const jsonNumber = (value: number): string => (Number.isFinite(value) ? String(value) : 'null')

/** Another process starting at the same moment may have removed it first. */
function unlinkIfThere(path: string): void {
  try {
    unlinkSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
}

/** Adds a journal's lines to `amounts`. A line that does not parse (torn by a power loss) is skipped. */
function replay(text: string, amounts: Map<string, Amount>): void {
  for (const line of text.split('\n')) {
    if (line === '') continue
    let values: unknown
    try {
      values = JSON.parse(line)
    } catch {
      continue
    }
    if (!Array.isArray(values) || values.length % 4 !== 0) continue
    for (let i = 0; i < values.length; i += 4) {
      const [scopeKey, windowKey, nanos, expiresAtMs] = values.slice(i, i + 4) as unknown[]
      if (typeof scopeKey !== 'string' || typeof windowKey !== 'string' || !Number.isSafeInteger(nanos) || typeof expiresAtMs !== 'number') continue
      const key = `${scopeKey}|${windowKey}`
      const amount = amounts.get(key)
      if (amount === undefined) amounts.set(key, { scopeKey, windowKey, nanos: nanos as number, expiresAtMs })
      else {
        amount.nanos += nanos as number
        amount.expiresAtMs = Math.max(amount.expiresAtMs, expiresAtMs)
      }
    }
  }
}
