/** The error a promise rejects with; fails the test if it resolves. */
export async function rejectionOf<E = Error>(promise: PromiseLike<unknown>): Promise<E> {
  try {
    await promise
  } catch (err) {
    return err as E
  }
  throw new Error('expected the call to fail, but it succeeded')
}
