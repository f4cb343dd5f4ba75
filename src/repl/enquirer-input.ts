// enquirer's Input prompt, typed: enquirer is CommonJS and its typings omit the prompt classes, so the parts of its
// StringPrompt (lib/prompt.js, lib/types/string.js) that ChatPrompt uses or overrides are declared here.

import type {EventEmitter} from 'node:events'

import Enquirer from 'enquirer'

import type {ReplInput, ReplOutput} from './types.js'

/** A key as Node's keypress decoder reports it (enquirer's keypress() completes it). */
export interface Key {
  name?: string
  ctrl?: boolean
  shift?: boolean
  meta?: boolean
}

/** enquirer's prompt state, as far as this module reads or resets it (lib/state.js). */
interface PromptState {
  closed: boolean
}

/** The parts of enquirer's StringPrompt (lib/prompt.js, lib/types/string.js) used here. It ships no types for them. */
interface StringPrompt extends EventEmitter {
  state: PromptState
  input: string
  cursor: number
  readonly stdout: ReplOutput
  initialize(): Promise<void>
  render(): Promise<void>
  alert(): void
  keypress(input: string, key?: Key): Promise<unknown>
  submit(): Promise<void>
  deleteForward(): void
  cursorHide(): void
  start(): void
}

type StringPromptClass = new (options: {
  name: string
  message: string
  stdin: ReplInput
  stdout: ReplOutput
}) => StringPrompt

// enquirer is CommonJS and its typings omit the prompt classes; Input is StringPrompt plus optional history.
export const {Input} = Enquirer as unknown as {Input: StringPromptClass}
