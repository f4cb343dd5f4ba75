/** Cuts `bytes` at the given points (taken modulo its length): arbitrary TCP chunking for the fuzz tests. */
export function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const chunks: Buffer[] = []
  let from = 0
  for (const p of [...points, bytes.length]) {
    if (p > from) chunks.push(bytes.subarray(from, p))
    from = Math.max(from, p)
  }

  return chunks
}
