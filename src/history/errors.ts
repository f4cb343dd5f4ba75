// File-system error codes in words, for the one-sentence messages history shows instead of stack traces.

/** The file-system error codes with words here (and in the catalogue's other languages, src/repl/i18n-cli.ts). */
export const FILE_ERROR_CODES = [
  'EACCES',
  'EPERM',
  'ENOENT',
  'ENOSPC',
  'EDQUOT',
  'EROFS',
  'ENOTDIR',
  'EISDIR',
  'EINVAL',
  'EFBIG',
  'EIO',
  'EMFILE',
  'ENFILE',
  'ELOOP',
  'ENAMETOOLONG',
] as const
export type FileErrorCode = (typeof FILE_ERROR_CODES)[number]

/** The English words, also the English catalogue's. */
export const FILE_ERROR_REASONS: Readonly<Record<FileErrorCode, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  EINVAL: 'it is not a regular file',
  EFBIG: 'the file is too large',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the path is too long',
}

/** `permission denied` for EACCES; `fallback` for a code without words here. */
export function reasonFor(code: string | undefined, fallback: string): string {
  return (code && (FILE_ERROR_REASONS as Readonly<Record<string, string>>)[code]) || fallback
}
