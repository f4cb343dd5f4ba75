// Waiting on events in tests: every wait has a deadline that fails the test with a message, never a fixed sleep.
import type {EventEmitter} from 'node:events'

export const DEFAULT_WAIT_MS = 10_000

/** Resolves when `check()` is true, re-checking whenever `emitter` emits `event`. */
export function waitFor<T>(
  what: string,
  subscribe: (recheck: () => void) => () => void,
  check: () => T | undefined,
  timeoutMs = DEFAULT_WAIT_MS,
): Promise<T> {
  return new Promise((resolve, reject) => {
    let unsubscribe = (): void => {}
    const timer = setTimeout(() => {
      unsubscribe()
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))
    }, timeoutMs)
    const recheck = (): void => {
      const value = check()
      if (value === undefined || value === false) return
      clearTimeout(timer)
      unsubscribe()
      resolve(value)
    }

    unsubscribe = subscribe(recheck)
    recheck()
  })
}

/** Resolves with the arguments of the next `event` for which `filter` holds. */
export function nextEvent<A extends unknown[]>(
  emitter: EventEmitter,
  event: string,
  filter: (...args: A) => boolean = () => true,
  timeoutMs = DEFAULT_WAIT_MS,
): Promise<A> {
  let hit: A | undefined
  return waitFor(
    `"${event}"`,
    (recheck) => {
      const listener = (...args: unknown[]): void => {
        if (hit === undefined && filter(...(args as A))) {
          hit = args as A
          recheck()
        }
      }

      emitter.on(event, listener)
      return () => emitter.off(event, listener)
    },
    () => hit,
    timeoutMs,
  )
}

/**
 * Resolves with the first truthy value of `check()` (so `true` for a condition), checking every `intervalMs`: for
 * states no single event announces (a peer table, a directory, a tmux screen). Bounded by `timeoutMs` like the rest.
 */
export function poll<T>(
  what: string,
  check: () => T | false | undefined,
  {intervalMs = 20, timeoutMs = DEFAULT_WAIT_MS}: {intervalMs?: number; timeoutMs?: number} = {},
): Promise<T> {
  return waitFor<T>(
    what,
    (recheck) => {
      const timer = setInterval(recheck, intervalMs)
      return () => clearInterval(timer)
    },
    () => check() || undefined,
    timeoutMs,
  )
}

/** Resolves once `check()` holds, re-checking whenever `emitter` emits one of `events` (no polling). */
export async function untilEvent(
  // Any typed emitter (a ChatNode): only the event names matter here, not their arguments.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- only any admits every typed emitter
  emitter: EventEmitter<any>,
  events: readonly string[],
  what: string,
  check: () => boolean,
  timeoutMs = DEFAULT_WAIT_MS,
): Promise<void> {
  await waitFor(
    what,
    (recheck) => {
      for (const event of events) emitter.on(event, recheck)
      return () => {
        for (const event of events) emitter.off(event, recheck)
      }
    },
    () => check() || undefined,
    timeoutMs,
  )
}
