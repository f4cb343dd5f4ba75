// File-system error codes in words, for the one-sentence messages history shows instead of stack traces.

const REASONS: Readonly<Record<string, string>> = {
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
  return (code && REASONS[code]) || fallback
}
