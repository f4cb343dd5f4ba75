// The `code` of a Node error (ENOENT, EPIPE…) or of an error that carries one, read without trusting its type.

/** `error.code` when it is a string, else undefined: safe on anything a `catch` or an 'error' event hands over. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined
  return typeof error.code === 'string' ? error.code : undefined
}
