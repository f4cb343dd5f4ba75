// "HOST:PORT" as users type it (--join, /connect). IPv6 literals go in brackets: [::1]:5000.
import type {Address} from './types.js'

const MIN_PORT = 1
const MAX_PORT = 65_535

/** A port as a user types it: decimal digits only (no sign, no exponent, no hex), 1 to 65535. */
export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined
  const port = Number(text)
  return port >= MIN_PORT && port <= MAX_PORT ? port : undefined
}

/** `[::1]` → `::1`; a bare host is returned as is. Undefined when empty or half-bracketed. */
export function parseHost(text: string): string | undefined {
  const host = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text
  return host.length > 0 && !/[[\]\s]/.test(host) ? host : undefined
}

/**
 * `HOST:PORT` or `[IPv6]:PORT` as one word. A bare IPv6 address has several colons, so it is refused rather than
 * guessing where the port starts.
 */
export function parseAddress(text: string): Address | undefined {
  const bracketed = /^(\[[^\]]*\]):([^:]*)$/.exec(text)
  const parts = bracketed ? [bracketed[1], bracketed[2]] : text.split(':')
  if (parts.length !== 2) return undefined
  const host = parseHost(parts[0])
  const port = parsePort(parts[1])
  return host !== undefined && port !== undefined ? {host, port} : undefined
}

/** Why `text` is not an address, in one sentence that shows the expected form. */
export function explainBadAddress(text: string): string {
  const colon = text.lastIndexOf(':')
  if (colon > 0 && parseHost(text.slice(0, colon).trim()) !== undefined && !text.slice(0, colon).includes(':')) {
    return `"${text}" has no valid port: expected a number from 1 to 65535 after the colon`
  }

  return `"${text}" is not an address: expected HOST:PORT, for example 127.0.0.1:5000`
}

/** `host:port`, with an IPv6 host bracketed so the port stays readable: `[::1]:5001`. */
export function formatAddress({host, port}: Address): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

/**
 * Whether `host` names this machine's loopback interface: 127.0.0.0/8, ::1 (also IPv4-mapped), and the name
 * `localhost` with its subdomains (RFC 6761 reserves them for loopback). A socket's remote address is always
 * numeric; a host a peer announces may be a name, and `localhost` from another machine is a lie either way.
 */
export function isLoopback(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '')
  if (name === 'localhost' || name.endsWith('.localhost')) return true
  return name === '::1' || name === '0:0:0:0:0:0:0:1' || name.startsWith('127.') || name.startsWith('::ffff:127.')
}
