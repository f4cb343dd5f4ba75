// A TCP link the test controls, standing for the network between two halves of a mesh: it forwards connections
// to a target while up; `cut()` drops every connection through it and refuses new ones (like a cable pulled),
// `heal()` lets connections through again on the same port.
import {connect, createServer, type Server, type Socket} from 'node:net'

export class ControlledLink {
  readonly port: number
  readonly #target: {host: string; port: number}
  readonly #sockets = new Set<Socket>()
  #server: Server | undefined

  private constructor(port: number, target: {host: string; port: number}) {
    this.port = port
    this.#target = target
  }

  static async open(port: number, target: {host: string; port: number}): Promise<ControlledLink> {
    const link = new ControlledLink(port, target)
    await link.heal()
    return link
  }

  async heal(): Promise<void> {
    if (this.#server) return
    const server = createServer((client) => {
      const upstream = connect(this.#target)
      for (const socket of [client, upstream]) {
        this.#sockets.add(socket)
        socket.on('error', () => {})
        socket.on('close', () => {
          this.#sockets.delete(socket)
          client.destroy()
          upstream.destroy()
        })
      }

      client.pipe(upstream)
      upstream.pipe(client)
    })
    this.#server = server
    await new Promise<void>((resolve) => {
      server.listen(this.port, '127.0.0.1', resolve)
    })
  }

  async cut(): Promise<void> {
    const server = this.#server
    this.#server = undefined
    for (const socket of this.#sockets) socket.destroy()
    if (server)
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
      })
  }
}
