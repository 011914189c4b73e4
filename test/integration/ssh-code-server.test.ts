import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCodeServer } from '../e2e/harness/setupScripts';
import { readUntil } from '../support/readUntil';
import { makeSshRig, type SshRig } from '../support/sshTestRig';

describe('SshProvider runs code-server on an SSH host where it is installed (real sshd, real code-server)', function () {
  this.timeout(60_000);
  let rig: SshRig;

  let launcher: string;

  before(async function () {
    this.timeout(15 * 60_000); // a first install downloads code-server
    launcher = await ensureCodeServer();
  });

  beforeEach(async () => {
    rig = await makeSshRig();
    symlinkSync(launcher, join(rig.sshd.binDir, 'code-server'));
  });
  afterEach(async () => {
    await rig.dispose();
  });

  it('starts it on a private socket with the password, serves it on a local port, and stops, restarts and forgets it', async () => {
    const id = `cs${process.pid}`;
    const provider = rig.provider();
    const created = await provider.createInstance({ id, config: rig.hostConfig('with-ide'), password: 'pa55-word' });
    assert.equal(created.status, 'running');
    assert.equal(created.metadata.codeServer, 'running');
    const ide = created.urls.ide;
    assert.match(ide ?? '', /^http:\/\/127\.0\.0\.1:\d+\/$/);

    assert.match(await healthz(ide), /^(alive|expired)$/, 'code-server answers /healthz (expired: no browser connected yet)');
    const front = await fetch(ide!, { redirect: 'manual' });
    assert.equal(front.status, 302, 'code-server asks for the password');
    assert.match(front.headers.get('location') ?? '', /login/);
    const login = await fetch(new URL('login', ide), { method: 'POST', body: new URLSearchParams({ password: 'pa55-word' }), redirect: 'manual' });
    assert.equal(login.status, 302);
    assert.match(login.headers.get('set-cookie') ?? '', /code-server-session=/);

    const state = join(rig.sshd.home, '.local', 'state', 'remote-swarm', id);
    assert.equal(statSync(join(state, 'code-server.sock')).mode & 0o777, 0o600, 'only the user reaches the socket');
    assert.equal(statSync(join(state, 'config.yaml')).mode & 0o777, 0o600);
    assert.match(readFileSync(join(state, 'config.yaml'), 'utf8'), /^auth: password\npassword: "pa55-word"\n$/);
    assert.match(await provider.getInstanceLogs(id), /HTTP server listening on .*code-server\.sock/);
    assert.equal(await provider.passwords.recover(id), 'pa55-word', 'read back from its state folder, for a front end that adopted the host');
    await provider.passwords.reset(id, 'n3w-word');
    const relogin = (await provider.getInstance(id))!.urls.ide!;
    assert.equal((await fetch(new URL('login', relogin), { method: 'POST', body: new URLSearchParams({ password: 'n3w-word' }), redirect: 'manual' })).status, 302, 'the new password signs in');
    assert.equal((await fetch(new URL('login', relogin), { method: 'POST', body: new URLSearchParams({ password: 'pa55-word' }), redirect: 'manual' })).status, 200, 'the old one no longer does');
    const following = new AbortController();
    const followed = await provider.followInstanceLogs!(id, { tail: 50, signal: following.signal });
    const seen = readUntil(followed, /HTTP server listening(.|\n)*a line written while following/);
    appendFileSync(join(rig.sshd.home, '.local', 'state', 'remote-swarm', id, 'code-server.log'), 'a line written while following\n');
    await seen;
    following.abort();
    await new Promise((resolve) => followed.once('close', resolve));
    const pid = Number(readFileSync(join(state, 'code-server.pid'), 'utf8'));

    const stopped = await provider.stopInstance(id);
    assert.equal(stopped.status, 'stopped');
    assert.equal(stopped.urls.ide, undefined);
    assert.equal(processAlive(pid), false);
    await assert.rejects(fetch(new URL('healthz', ide)));

    const started = await provider.startInstance(id);
    assert.equal(started.status, 'running');
    assert.match(await healthz(started.urls.ide), /^(alive|expired)$/);

    await provider.deleteInstance(id);
    assert.equal(existsSync(state), false, 'its state folder is removed');
    assert.equal(existsSync(join(rig.sshd.home, 'project')), true, 'the workspace is the user\'s and stays');
    await assert.rejects(fetch(new URL('healthz', started.urls.ide)));
  });
});

async function healthz(ide: string | undefined): Promise<string> {
  assert.ok(ide, 'the instance has an IDE URL');
  return ((await (await fetch(new URL('healthz', ide))).json()) as { status: string }).status;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
