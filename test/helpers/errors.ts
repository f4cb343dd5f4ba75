// Asserting on errors in one way: what was thrown or rejected, of which class, with which code. A missing throw
// fails the test with a message instead of passing silently or failing on a later, unrelated line.
import {expect} from 'chai'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any[] matches every error constructor
type ErrorClass<E extends Error> = abstract new (...args: any[]) => E

/** The error `fn` throws, which must be a `type`. */
export function thrown<E extends Error>(type: ErrorClass<E>, fn: () => unknown): E {
  try {
    fn()
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(type)
    return error as E
  }

  return expect.fail(`expected a ${type.name} to be thrown`)
}

/** The `code` of the error `fn` throws, which must be a `type` with a code (ProtocolError, NoiseError). */
export function thrownCode(type: ErrorClass<Error & {code: string}>, fn: () => unknown): string {
  return thrown(type, fn).code
}

/** Asserts that `fn` throws a `type` whose code is `code`. */
export function expectCode(type: ErrorClass<Error & {code: string}>, fn: () => unknown, code: string): void {
  expect(thrownCode(type, fn)).to.equal(code)
}

/** What `promise` rejects with (an Error); fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error & {code?: unknown}> {
  try {
    await promise
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(Error)
    return error as Error
  }

  return expect.fail('expected a rejection')
}
