import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { makeTempDir } from './tempDir';

/** A TLS-protected Docker engine endpoint on loopback, as `dockerd --tlsverify` serves one. */
export interface TlsDockerEndpoint {
  /** tcp://127.0.0.1:<port> */
  host: string;
  /** ca.pem, cert.pem and key.pem: what a client the engine accepts holds (a DOCKER_CERT_PATH). */
  clientCertPath: string;
  /** ca.pem only: the engine is trusted, but the client has no certificate to show. */
  caOnlyPath: string;
  /** cert.pem and key.pem only: a client certificate, but nothing to trust the engine's by. */
  withoutCaPath: string;
  close(): Promise<void>;
}

/**
 * A node:tls server on 127.0.0.1 requiring a client certificate signed by its own certificate authority (made with
 * openssl in a temporary folder), which passes every accepted connection to the real engine's Unix socket.
 */
export async function startTlsDockerProxy(socketPath = '/var/run/docker.sock'): Promise<TlsDockerEndpoint> {
  const temp = makeTempDir('remote-swarm-docker-tls-');
  const sockets = new Set<net.Socket>();
  try {
    const files = makeCertificates(temp.path);
    const server = tls.createServer({ key: readFileSync(files.serverKey), cert: readFileSync(files.serverCert), ca: readFileSync(files.ca), requestCert: true, rejectUnauthorized: true }, (client) => {
      const engine = net.connect(socketPath);
      for (const socket of [client, engine]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(engine).pipe(client);
    });
    // A client refused during the handshake is the point of some tests, not a failure of the proxy.
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    return {
      host: `tcp://127.0.0.1:${port}`,
      clientCertPath: files.clientDir,
      caOnlyPath: files.caOnlyDir,
      withoutCaPath: files.withoutCaDir,
      async close() {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        temp.remove();
      },
    };
  } catch (error) {
    for (const socket of sockets) socket.destroy();
    temp.remove();
    throw error;
  }
}

function makeCertificates(dir: string) {
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...newKey, '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=remote-swarm test CA');
  const signed = (name: string, subject: string, extensions: string) => {
    writeFileSync(file(`${name}.ext`), extensions);
    openssl('req', ...newKey, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', subject);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${name}-cert.pem`, '-days', '1', '-extfile', `${name}.ext`);
  };
  signed('server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  signed('client', '/CN=remote-swarm test client', 'extendedKeyUsage=clientAuth\n');

  const certFolder = (name: string, entries: Record<string, string>) => {
    const folder = file(name);
    mkdirSync(folder);
    for (const [target, source] of Object.entries(entries)) copyFileSync(file(source), path.join(folder, target));
    return folder;
  };
  return {
    ca: file('ca.pem'),
    serverKey: file('server-key.pem'),
    serverCert: file('server-cert.pem'),
    clientDir: certFolder('client', { 'ca.pem': 'ca.pem', 'cert.pem': 'client-cert.pem', 'key.pem': 'client-key.pem' }),
    caOnlyDir: certFolder('ca-only', { 'ca.pem': 'ca.pem' }),
    withoutCaDir: certFolder('without-ca', { 'cert.pem': 'client-cert.pem', 'key.pem': 'client-key.pem' }),
  };
}
