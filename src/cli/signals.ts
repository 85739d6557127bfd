/**
 * Resolves on the first SIGINT or SIGTERM. Call it before starting anything: a supervisor may
 * signal as soon as it sees the ready message, and an unhandled SIGTERM would kill the process
 * instead of letting it shut down cleanly.
 */
export function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve(signal)
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}
