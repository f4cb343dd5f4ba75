// How a session tells its command "stop here, with this sentence and this exit code" without knowing about oclif.

import type {Command} from '@oclif/core'

/** Exit code for bad input: a flag, a secret, an identity file, a message the engine refuses (as oclif's own). */
export const EXIT_BAD_INPUT = 2

/** A failure the user can act on: its message is the one line shown, `exit` the process's exit code. */
export class CommandFailure extends Error {
  constructor(
    message: string,
    readonly exit: number,
  ) {
    super(message)
    this.name = 'CommandFailure'
  }
}

/** Runs a session step; a `CommandFailure` becomes the command's error line and exit code, anything else is rethrown. */
export async function orFail<T>(command: Command, work: Promise<T>): Promise<T> {
  try {
    return await work
  } catch (error) {
    if (error instanceof CommandFailure) command.error(error.message, {exit: error.exit})
    throw error
  }
}

/** Wraps the error of a failed setup step as bad input (exit 2): `words` when given (the reader's language), else its message. */
export function badInput(error: unknown, words?: string): CommandFailure {
  return new CommandFailure(words ?? (error as Error).message, EXIT_BAD_INPUT)
}
