// Incremental decoder for Bedrock's binary `application/vnd.amazon.eventstream`
// (https://docs.aws.amazon.com/transcribe/latest/dg/streaming-setting-up.html#streaming-event-stream):
// each message starts with a 4-byte big-endian total length, so a complete message is decoded
// straight from the chunk and only a message split across chunks is copied, into one buffer of
// exactly its size. A bad length or checksum means the stream is corrupt: the decoder stops.
import { EventStreamCodec, type Message } from '@smithy/eventstream-codec'
import { fromUtf8, toUtf8 } from '@smithy/util-utf8'

export type EventStreamMessage = Message

/** Called once per decoded message. Its body may view the chunk: only valid during the call. */
export type EventStreamHandler = (message: EventStreamMessage) => void

/** Prelude (12 bytes) + message CRC (4 bytes): the smallest valid message. */
const MIN_MESSAGE_BYTES = 16
/** AWS caps a message at 16 MiB of payload plus 128 KiB of headers; anything larger is corrupt. */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024 + 128 * 1024 + MIN_MESSAGE_BYTES

// Decoding is stateless (`decode` never touches the codec's message queue), so one codec serves all.
const codec = new EventStreamCodec(toUtf8, fromUtf8)

export class EventStreamDecoder {
  readonly #onMessage: EventStreamHandler
  /** The 4-byte length prelude when it is itself split across chunks. */
  readonly #prelude = Buffer.alloc(4)
  #preludeBytes = 0
  /** The message being assembled across chunks, allocated at its final size. */
  #frame: Buffer | undefined
  #frameBytes = 0
  /** Set by a bad length or checksum; everything after it is ignored. */
  #broken = false

  constructor(onMessage: EventStreamHandler) {
    this.#onMessage = onMessage
  }

  /** True while bytes of an incomplete message are held. */
  get pending(): boolean {
    return this.#frame !== undefined || this.#preludeBytes > 0
  }

  push(chunk: Buffer): void {
    const length = chunk.length
    let offset = 0
    while (offset < length && !this.#broken) {
      if (this.#frame === undefined) {
        if (this.#preludeBytes === 0 && length - offset >= 4) {
          const total = chunk.readUInt32BE(offset)
          if (!this.#validLength(total)) return
          if (length - offset >= total) {
            this.#decode(chunk.subarray(offset, offset + total))
            offset += total
            continue
          }
          this.#frame = Buffer.allocUnsafe(total)
          this.#frameBytes = 0
        } else {
          const n = Math.min(4 - this.#preludeBytes, length - offset)
          chunk.copy(this.#prelude, this.#preludeBytes, offset, offset + n)
          this.#preludeBytes += n
          offset += n
          if (this.#preludeBytes < 4) return
          this.#preludeBytes = 0
          const total = this.#prelude.readUInt32BE(0)
          if (!this.#validLength(total)) return
          this.#frame = Buffer.allocUnsafe(total)
          this.#frameBytes = this.#prelude.copy(this.#frame, 0)
          continue
        }
      }
      const frame = this.#frame
      const n = Math.min(frame.length - this.#frameBytes, length - offset)
      chunk.copy(frame, this.#frameBytes, offset, offset + n)
      this.#frameBytes += n
      offset += n
      if (this.#frameBytes === frame.length) {
        this.#frame = undefined
        this.#decode(frame)
      }
    }
  }

  #validLength(total: number): boolean {
    if (total >= MIN_MESSAGE_BYTES && total <= MAX_MESSAGE_BYTES) return true
    this.#broken = true
    return false
  }

  #decode(bytes: Buffer): void {
    let message: Message
    try {
      message = codec.decode(bytes)
    } catch {
      this.#broken = true
      return
    }
    this.#onMessage(message)
  }
}
