// Per-session HTTP/2 abuse limits (docs/performance.md). node:http2 already caps concurrent
// streams, header size and session memory from its settings, and nghttp2 answers a burst of
// more than 1000 RST_STREAMs (refilled at 33/s) with GOAWAY INTERNAL_ERROR. What it leaves open,
// and this module closes:
// - reset floods under nghttp2's bucket: streams opened (often with DATA) and reset by the client
//   before their response finished are counted in a sliding window; past the limit the session
//   gets GOAWAY ENHANCE_YOUR_CALM and is destroyed (CVE-2023-44487, RFC 9113 §5.4.1);
// - streams whose body never arrives: each has a deadline from its HEADERS until its body has
//   ended; on expiry it is reset, which aborts the request so the pipeline settles it;
// - sessions that hold a connection with no stream open: closed (GOAWAY NO_ERROR) when idle.
import http2 from 'node:http2'
import { SlidingWindowCounter } from './sliding-window.js'

const { NGHTTP2_CANCEL, NGHTTP2_ENHANCE_YOUR_CALM, NGHTTP2_NO_ERROR } = http2.constants

export interface Http2GuardLimits {
  /** A session with no open stream for this long is closed. */
  readonly idleTimeoutMs: number
  /** From a stream's HEADERS until its request body has ended. */
  readonly requestBodyTimeoutMs: number
  readonly maxResetsPerWindow: number
  readonly resetWindowMs: number
}

export interface Http2GuardHooks {
  /** Called once for a session closed for resetting too many streams. */
  readonly onResetFlood?: (remoteAddress: string | undefined) => void
}

const ignoreFlood = (): void => {}

export function guardSession(session: http2.ServerHttp2Session, limits: Http2GuardLimits, hooks: Http2GuardHooks = {}): void {
  const onResetFlood = hooks.onResetFlood ?? ignoreFlood
  const resets = new SlidingWindowCounter(limits.maxResetsPerWindow, limits.resetWindowMs)
  let open = 0
  let flooded = false
  let idle: NodeJS.Timeout | undefined
  const armIdle = (): void => {
    idle = setTimeout(() => session.close(), limits.idleTimeoutMs).unref()
  }
  armIdle()
  session.once('close', () => clearTimeout(idle))

  // Ahead of node's own listener, which runs the request handler: the guard is in place first.
  session.prependListener('stream', (stream) => {
    open++
    clearTimeout(idle)
    // 'aborted' fires whenever the stream closes before our response finished: on the peer's
    // RST_STREAM, and on our own stream.close(code) or destroy(). Only the peer's count. destroy()
    // (a broken upstream, the session going away) marks the stream destroyed before 'aborted';
    // close(code) (the deadline below; the emulators' scripted resets) does not, so it is noted here.
    let closedHere = false
    const close = stream.close
    stream.close = (code?: number, callback?: () => void): void => {
      closedHere = true
      close.call(stream, code, callback)
    }
    // A stream that ended with its HEADERS has no body to wait for.
    const deadline = stream.endAfterHeaders
      ? undefined
      : setTimeout(() => {
          // RFC 9113 §8.1: after a complete response, NO_ERROR asks the client to stop sending.
          stream.close(stream.writableEnded ? NGHTTP2_NO_ERROR : NGHTTP2_CANCEL)
        }, limits.requestBodyTimeoutMs).unref()
    if (deadline !== undefined) stream.once('end', () => clearTimeout(deadline))
    stream.once('aborted', () => {
      if (closedHere || flooded || stream.destroyed || session.destroyed) return
      if (!resets.exceeded(performance.now())) return
      flooded = true
      onResetFlood(session.socket?.remoteAddress)
      // Not from here: 'aborted' runs inside nghttp2's frame processing, and destroying the
      // session under it aborts the process (node_http2.cc current_nghttp2_memory_ assertion;
      // nodejs/node#64850 is the same family). The rest of the chunk being read is processed first.
      setImmediate(() => session.destroy(new Error('HTTP/2 reset flood'), NGHTTP2_ENHANCE_YOUR_CALM))
    })
    stream.once('close', () => {
      clearTimeout(deadline)
      if (--open === 0 && !session.closed && !session.destroyed) armIdle()
    })
  })
}
