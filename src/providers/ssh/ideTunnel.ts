import net from 'node:net';
import type { Client } from 'ssh2';

/**
 * A port on 127.0.0.1 that carries each connection to code-server's Unix socket on the host, over the instance's SSH
 * connection (OpenSSH streamlocal forwarding). The port stays while the tunnel lives, across reconnections.
 */
export class IdeTunnel {
  private constructor(
    private readonly server: net.Server,
    private readonly sockets: Set<net.Socket>,
    readonly url: string,
  ) {}

  static async open(connection: () => Promise<Client>, socketPath: string): Promise<IdeTunnel> {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      connection().then(
        (client) =>
          client.openssh_forwardOutStreamLocal(socketPath, (error, channel) => {
            if (error || socket.destroyed) return socket.destroy();
            socket.pipe(channel).pipe(socket);
            channel.on('close', () => socket.destroy());
            socket.on('close', () => channel.close());
          }),
        () => socket.destroy(),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return new IdeTunnel(server, sockets, `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`);
  }

  close(): void {
    this.server.close();
    for (const socket of this.sockets) socket.destroy();
  }
}
