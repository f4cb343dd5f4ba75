// A FIFO with O(1) shift, for the history queue, which can hold tens of thousands of lines.

export class Fifo<T> {
  #items: T[] = []
  #head = 0

  get length(): number {
    return this.#items.length - this.#head
  }

  push(item: T): void {
    this.#items.push(item)
  }

  peek(): T | undefined {
    return this.#items[this.#head]
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined
    const item = this.#items[this.#head++]
    // Compact once the consumed prefix is both large and most of the array.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }

    return item
  }

  /** Put `items` (in order) before everything else. */
  prepend(items: T[]): void {
    this.#items = [...items, ...this.#items.slice(this.#head)]
    this.#head = 0
  }

  clear(): void {
    this.#items = []
    this.#head = 0
  }
}
