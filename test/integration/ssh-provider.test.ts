import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { keyPassphraseSecretKey } from '../../src/ssh/keyPassphrases';
import { sshKeygen, startSshAgent } from '../support/sshdTestServer';
import { readUntil } from '../support/readUntil';
import { makeSshRig, type SshRig } from '../support/sshTestRig';
import { swarmError } from '../support/swarmAssertions';

/** What OpenSSH's own ssh-keygen says the key's fingerprint is. */
function opensshFingerprint(type: string, base64: string): string {
  const line = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', '-'], { input: `${type} ${base64}\n`, encoding: 'utf8' });
  return line.split(' ')[1] ?? '';
}

describe('SshProvider against a real OpenSSH sshd', function () {
  this.timeout(30_000);
  let rig: SshRig;
  let counter = 0;
  const nextId = () => `ssh${process.pid}n${++counter}`;

  beforeEach(async () => {
    rig = await makeSshRig();
  });
  afterEach(async () => {
    await rig.dispose();
  });

  it('asks on first use with the fingerprint OpenSSH shows, records the key under the alias, and does not ask again', async () => {
    const id = nextId();
    const created = await rig.provider().createInstance({ id, config: rig.hostConfig('box-1') });
    assert.equal(created.status, 'running');
    assert.equal(created.urls.ssh, `ssh://${rig.sshd.user}@127.0.0.1:${rig.sshd.port}`);
    assert.equal(created.metadata.codeServer, 'not installed');
    assert.equal(created.metadata.problem, '');

    assert.equal(rig.questions.length, 1);
    const [question] = rig.questions;
    assert.deepEqual(question, {
      name: 'box-1',
      host: '127.0.0.1',
      port: rig.sshd.port,
      keyType: 'ssh-ed25519',
      fingerprint: opensshFingerprint(rig.sshd.hostKey.type, rig.sshd.hostKey.base64),
    });
    assert.equal(readFileSync(rig.directory.knownHostsFile, 'utf8'), `remote-swarm.box-1 ssh-ed25519 ${rig.sshd.hostKey.base64}\n`);

    const nextSession = rig.provider();
    assert.equal((await nextSession.executeCommand(id, ['echo', 'again'])).stdout, 'again\n');
    assert.equal(rig.questions.length, 1, 'a recorded key is not asked about again');
    assert.deepEqual((await nextSession.listInstances()).map(({ id: listed, status }) => ({ id: listed, status })), [{ id, status: 'running' }]);
  });

  it('adds nothing when the user does not trust the key: HOST_KEY_REJECTED', async () => {
    rig.trustAnswer = false;
    const provider = rig.provider();
    await assert.rejects(provider.createInstance({ id: nextId(), config: rig.hostConfig('untrusted') }), swarmError('HOST_KEY_REJECTED', /was not trusted/));
    assert.equal(rig.questions.length, 1);
    assert.deepEqual(await provider.listInstances(), []);
    assert.throws(() => readFileSync(rig.directory.knownHostsFile), /ENOENT/);
  });

  it('refuses a changed host key, in its own known_hosts or the user\'s, without asking', async () => {
    const otherKey = readFileSync(`${sshKeygen(join(rig.home, 'other_host_key'))}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
    mkdirSync(rig.directory.root, { recursive: true });
    writeFileSync(rig.directory.knownHostsFile, `remote-swarm.changed ${otherKey}\n`);
    const provider = rig.provider();
    await assert.rejects(
      provider.createInstance({ id: nextId(), config: rig.hostConfig('changed') }),
      swarmError('HOST_KEY_REJECTED', /has CHANGED: it now presents the ssh-ed25519 key SHA256:\S+.*ssh-keygen -R remote-swarm\.changed/s),
    );

    // The user's own known_hosts, hashed as Debian's ssh writes it by default (HashKnownHosts yes).
    const userKnownHosts = rig.directory.userKnownHostsFiles[0]!;
    writeFileSync(userKnownHosts, `[127.0.0.1]:${rig.sshd.port} ${otherKey}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', userKnownHosts], { stdio: 'pipe' });
    assert.match(readFileSync(userKnownHosts, 'utf8'), /^\|1\|/);
    await assert.rejects(provider.createInstance({ id: nextId(), config: rig.hostConfig('changed-too') }), swarmError('HOST_KEY_REJECTED', /CHANGED.*ssh-keygen -R "\[127\.0\.0\.1\]:\d+"/s));
    assert.deepEqual(rig.questions, [], 'a changed key is never offered for trust');
  });

  it('trusts a host already in the user\'s hashed known_hosts without asking, and records it for ssh', async () => {
    const userKnownHosts = rig.directory.userKnownHostsFiles[0]!;
    mkdirSync(dirname(userKnownHosts), { recursive: true });
    writeFileSync(userKnownHosts, `[127.0.0.1]:${rig.sshd.port} ${rig.sshd.hostKey.type} ${rig.sshd.hostKey.base64}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', userKnownHosts], { stdio: 'pipe' });
    await rig.provider().createInstance({ id: nextId(), config: rig.hostConfig('known') });
    assert.deepEqual(rig.questions, []);
    assert.match(readFileSync(rig.directory.knownHostsFile, 'utf8'), /^remote-swarm\.known ssh-ed25519 /);
  });

  it('gives the handshake a deadline that stands still while the user reads the fingerprint', async () => {
    const slowUser = rig.provider({ readyTimeoutMs: 300 });
    rig.answerDelayMs = 600;
    await slowUser.createInstance({ id: nextId(), config: rig.hostConfig('slow-reader') });
    assert.equal(rig.questions.length, 1);

    // A server that accepts the connection and never speaks SSH.
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const config = rig.hostConfig('silent', { port: (silent.address() as net.AddressInfo).port });
      await assert.rejects(slowUser.createInstance({ id: nextId(), config }), swarmError('PROVIDER_UNAVAILABLE', /no SSH handshake within 0\.3 s/));
    } finally {
      silent.close();
    }
  });

  it('reports a key the host does not accept as AUTH_FAILED', async () => {
    const strangerKey = sshKeygen(join(rig.home, 'stranger'));
    await assert.rejects(
      rig.provider().createInstance({ id: nextId(), config: rig.hostConfig('stranger', { identityFile: strangerKey }) }),
      swarmError('AUTH_FAILED', new RegExp(`did not accept the key ${strangerKey}.*authorized_keys`, 's')),
    );
  });

  it('authenticates with the keys of a running ssh-agent; one that cannot be reached gives AUTH_FAILED', async () => {
    const agent = await startSshAgent(join(rig.home, 'agent.sock'));
    try {
      execFileSync('ssh-add', ['-q', rig.sshd.userKeyFile], { env: { ...process.env, SSH_AUTH_SOCK: agent.socket }, stdio: 'pipe' });
      const id = nextId();
      const provider = rig.provider({ agentSocket: agent.socket });
      await provider.createInstance({ id, config: rig.hostConfig('agent', { identityFile: undefined }) });
      assert.equal((await provider.executeCommand(id, ['echo', 'via agent'])).stdout, 'via agent\n');
    } finally {
      await agent.stop();
    }
    await assert.rejects(
      rig.provider({ agentSocket: join(rig.home, 'no-agent.sock') }).createInstance({ id: nextId(), config: rig.hostConfig('no-agent', { identityFile: undefined }) }),
      swarmError('AUTH_FAILED', /Cannot use your ssh-agent.*SSH_AUTH_SOCK/),
    );
  });

  it('unlocks an encrypted key with the passphrase the user gives once, kept in the secret store; a wrong one is forgotten', async () => {
    const keyFile = sshKeygen(join(rig.home, 'locked'), { passphrase: 'open sesame' });
    rig.sshd.authorize(readFileSync(`${keyFile}.pub`, 'utf8'));
    const config = rig.hostConfig('locked', { identityFile: keyFile });

    rig.passphraseAnswers.push('wrong');
    await assert.rejects(rig.provider().createInstance({ id: nextId(), config }), swarmError('AUTH_FAILED', /does not unlock/));
    assert.equal(await rig.secrets.get(keyPassphraseSecretKey(keyFile)), undefined);

    rig.passphraseAnswers.push('open sesame');
    const id = nextId();
    await rig.provider().createInstance({ id, config });
    assert.equal(await rig.secrets.get(keyPassphraseSecretKey(keyFile)), 'open sesame');
    assert.equal((await rig.provider().executeCommand(id, ['true'])).exitCode, 0);
    assert.deepEqual(rig.passphrasePrompts, [keyFile, keyFile], 'asked twice, then remembered');
    assert.ok(!readFileSync(join(rig.home, 'hosts.json'), 'utf8').includes('open sesame'), 'the host store holds no passphrase');
  });

  it('runs argv literally: quotes, $ and ; reach the program as they are; env, workdir, stderr and the exit code come back', async () => {
    const id = nextId();
    const provider = rig.provider();
    await provider.createInstance({ id, config: rig.hostConfig('exec') });
    const tricky = `it's "$HOME"; echo pwned \`id\` $(id) \\ *`;
    assert.deepEqual(await provider.executeCommand(id, ['printf', '%s|', tricky, 'two words']), { stdout: `${tricky}|two words|`, stderr: '', exitCode: 0 });
    assert.deepEqual(await provider.executeCommand(id, ['sh', '-c', 'echo "$GREETING"; pwd; echo oops >&2; exit 7'], { env: { GREETING: 'hi there' }, workdir: '/tmp' }), {
      stdout: 'hi there\n/tmp\n',
      stderr: 'oops\n',
      exitCode: 7,
    });
  });

  it('opens a PTY shell that follows resizes and reports the exit code', async () => {
    const id = nextId();
    const provider = rig.provider();
    await provider.createInstance({ id, config: rig.hostConfig('shell') });
    const session = await provider.openShell(id, { cols: 91, rows: 17 });
    session.stream.write('stty size; tty\n');
    assert.match(await readUntil(session.stream, /17 91\r\n\/dev\/pts\/\d+/), /17 91/);
    await session.resize({ cols: 120, rows: 40 });
    session.stream.write('stty size\n');
    await readUntil(session.stream, /40 120/);
    session.stream.write('exit 5\n');
    assert.deepEqual(await session.ended, { kind: 'exited', exitCode: 5 });
  });

  it('says the connection was lost when it drops under a running shell', async () => {
    const id = nextId();
    const provider = rig.provider();
    await provider.createInstance({ id, config: rig.hostConfig('dropped') });
    const session = await provider.openShell(id, { cols: 80, rows: 24 });
    session.stream.write('echo ready\n');
    await readUntil(session.stream, /ready\r\n/);
    await rig.sshd.stop();
    assert.equal((await session.ended).kind, 'lost');
    const listed = await provider.listInstances();
    assert.equal(listed[0]?.status, 'unknown', 'an unreachable host is listed as unknown');
    assert.match(listed[0]?.metadata.problem ?? '', /Cannot reach/);
  });

  it('forgets a host on delete, leaving no connection behind', async () => {
    const id = nextId();
    const provider = rig.provider();
    await provider.createInstance({ id, config: rig.hostConfig('gone') });
    await provider.deleteInstance(id);
    assert.deepEqual(await provider.listInstances(), []);
    await assert.rejects(provider.executeCommand(id, ['true']), swarmError('INSTANCE_NOT_FOUND'));
    await assert.rejects(provider.updateInstance(id), swarmError('INSTANCE_NOT_FOUND'));
  });

  it('keeps its host store free of secrets, and the managed known_hosts private', async () => {
    await rig.provider().createInstance({ id: nextId(), config: rig.hostConfig('private'), password: 'code-server-secret' });
    assert.ok(!readFileSync(join(rig.home, 'hosts.json'), 'utf8').includes('code-server-secret'));
    assert.equal(statSync(rig.directory.knownHostsFile).mode & 0o777, 0o600);
  });
});
