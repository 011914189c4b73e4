/*
 * The program a workspace transfer runs inside a Fly machine: an HTTP server on the transfer port, reached through the
 * app's transfer service, that serves exactly one request carrying the one-time token (it knows only the token's
 * SHA-256, so nothing in the machine can read the token back) and then exits. Export: GET streams `tar -c` of the
 * workspace folder, ending only if tar succeeded. Import: PUT unpacks the body with `tar -x` as the folder's owner,
 * modes as in the archive, and answers once tar has finished. It exits by itself when no valid request comes in time.
 *
 * Node.js runs it: code-server images carry it (on PATH, or as code-server's own). The exec that starts it returns once
 * it listens: it runs itself again detached and waits for the child's word over IPC.
 */
const SERVER = String.raw`
const [mode, folder, digest, port, idleSeconds, role] = process.argv.slice(1);
const { spawn } = require('node:child_process');
if (role === 'serve') serve();
else {
  const child = spawn(process.execPath, ['-e', process.env.REMOTE_SWARM_TRANSFER, mode, folder, digest, port, idleSeconds, 'serve'], { detached: true, stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  child.once('message', (message) => { console.log(message); child.disconnect(); child.unref(); process.exit(message === 'listening' ? 0 : 1); });
  child.once('exit', (code) => { console.error('the transfer receiver exited with ' + code); process.exit(1); });
}
function serve() {
const http = require('node:http');
const { createHash } = require('node:crypto');
const { statSync } = require('node:fs');
const idle = setTimeout(() => process.exit(0), Number(idleSeconds) * 1000);
const server = http.createServer((request, response) => {
  const token = String(request.headers['x-remote-swarm-token'] || '');
  if (createHash('sha256').update(token).digest('hex') !== digest) return response.writeHead(403).end('wrong token\n');
  clearTimeout(idle);
  server.close();
  response.on('close', () => process.exit(0));
  if (mode === 'export') {
    const tar = spawn('tar', ['-c', '-f', '-', '.'], { cwd: folder, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    tar.stderr.on('data', (chunk) => (stderr += chunk));
    response.writeHead(200, { 'content-type': 'application/x-tar' });
    tar.stdout.pipe(response, { end: false });
    tar.on('close', (code) => (code === 0 ? response.end() : response.destroy(new Error(stderr))));
    request.on('close', () => tar.kill());
    return;
  }
  const { uid, gid } = statSync(folder);
  const owner = process.getuid && process.getuid() === 0 ? { uid, gid } : {};
  const tar = spawn('sh', ['-c', 'umask 0 && exec tar -x -o -f -'], { cwd: folder, stdio: ['pipe', 'ignore', 'pipe'], ...owner });
  let stderr = '';
  tar.stderr.on('data', (chunk) => (stderr += chunk));
  tar.stdin.on('error', () => undefined);
  request.pipe(tar.stdin);
  request.on('aborted', () => tar.kill());
  tar.on('close', (code) => response.writeHead(code === 0 ? 200 : 500).end(code === 0 ? '' : 'tar exited with ' + code + ': ' + stderr));
});
server.listen(Number(port), '0.0.0.0', () => process.send('listening'));
server.on('error', (error) => { process.send(String(error.message)); process.exit(1); });
}
`;

/** $1: the program; the rest its arguments. Exit 3: no Node.js in the image. */
const LAUNCH = `program="$1"; shift
for node in node /usr/lib/code-server/lib/node; do
  if command -v "$node" >/dev/null 2>&1; then REMOTE_SWARM_TRANSFER="$program" exec "$node" -e "$program" "$@"; fi
done
echo "no Node.js in the machine's image" >&2
exit 3`;

/** The exec argv that starts the receiver: `mode` on `folder`, for the token whose SHA-256 is `digest`. */
export function receiverCommand(mode: 'export' | 'import', folder: string, digest: string, port: number, idleSeconds: number): string[] {
  return ['sh', '-c', LAUNCH, 'remote-swarm-transfer', SERVER, mode, folder, digest, String(port), String(idleSeconds)];
}

/** The machine port the receiver listens on; the app's transfer service forwards the same port to it (flyMachineConfig.ts). */
export const TRANSFER_PORT = 8722;

/** The exit code of LAUNCH when the image has no Node.js. */
export const NO_NODE_EXIT = 3;
