import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { utils } from 'ssh2';
import { SwarmError } from '../../src/core/errors';
import type { Instance } from '../../src/core/models';
import { HostKeyTrust } from '../../src/ssh/hostKeyTrust';
import { hostPublicKey } from '../../src/ssh/hostPublicKey';
import { ManagedSshConfig } from '../../src/ssh/managedSshConfig';
import { SshAccess, type RunInInstance } from '../../src/ssh/sshAccess';
import { hostAlias, sshDirectory, type SshDirectory } from '../../src/ssh/sshDirectory';
import { ensureManagedConfigIncluded } from '../../src/ssh/userSshConfigInclude';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { ensureSshTestImage, removeTestResources, requireDocker, testProvider } from '../support/dockerTestEnv';
import { makeTempDir } from '../support/tempDir';
import { RUN_ID } from '../support/testRun';

const HOST_KEY_FILE = '/etc/ssh/ssh_host_ed25519_key.pub';
/** Ahead of busybox's /bin/id on the image's PATH (/usr/sbin:/usr/bin:/sbin:/bin). */
const FAKE_ID = '/usr/sbin/id';

/** An SSH string (RFC 4251 §5): a 32-bit length, then the bytes. */
function sshString(bytes: Buffer | string): Buffer {
  const data = Buffer.from(bytes);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, data]);
}

/** Every file and folder under `root`: its mode and, for a file, its content. */
function snapshot(root: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const stat = statSync(path);
      entries[relative(root, path)] = `${(stat.mode & 0o777).toString(8)} ${stat.isDirectory() ? '(folder)' : readFileSync(path, 'utf8')}`;
      if (stat.isDirectory()) walk(path);
    }
  };
  walk(root);
  return entries;
}

/** What the real ssh client makes of `host` with the user's ssh config (which includes the managed one). */
function resolved(directory: SshDirectory, host: string): string[] {
  return execFileSync('ssh', ['-G', '-F', directory.userConfigFile, host], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n');
}

describe('Security: a container cannot write into the ssh config or known_hosts (real engine, sshd test image)', function () {
  this.timeout(120_000);
  const attackerKey = utils.generateKeyPairSync('ed25519').public.split(' ')[1]!;
  let temp: ReturnType<typeof makeTempDir> | undefined;
  let core: CoreHarness | undefined;
  let instance: Instance;
  let run: RunInInstance;
  let directory: SshDirectory;
  let access: SshAccess;
  let before_: Record<string, string>;
  let knownHostsBefore: string;
  let home = 0;

  before(async () => {
    await requireDocker();
    const image = ensureSshTestImage();
    temp = makeTempDir('remote-swarm-security-');
    core = await makeCore(join(temp.path, 'state'), { docker: () => testProvider() });
    instance = await core.controller.create({ provider: 'docker', name: `sec-${RUN_ID}`, overrides: { image, workspacePath: '/workspace', ports: [{ container: 22, purpose: 'ssh' }] } });
    const id = instance.id;
    run = (argv) => core!.controller.exec(id, argv);
  });
  after(async () => {
    core?.dispose();
    temp?.remove();
    await removeTestResources();
  });

  /** A home whose ssh config includes the managed one, which already holds another instance's Host block and host key. */
  beforeEach(async () => {
    directory = sshDirectory(join(temp!.path, `home-${++home}`));
    const trust = new HostKeyTrust({ managedFile: directory.knownHostsFile, userFiles: directory.userKnownHostsFiles, confirm: async () => assert.fail('a container\'s host keys are read, never asked about') });
    access = new SshAccess(directory, trust);
    new ManagedSshConfig(directory.configFile).upsert({ alias: 'remote-swarm.other', hostName: '10.0.0.5', port: 2222, user: 'dev', knownHostsFile: directory.knownHostsFile });
    trust.replace('remote-swarm.other', [hostPublicKey(Buffer.from(utils.generateKeyPairSync('ed25519').public.split(' ')[1]!, 'base64'))]);
    execFileSync('sh', ['-c', 'mkdir -p "$1" && printf "Host github.com\\n  User git\\n" > "$1/config"', 'user-config', join(directory.home, '.ssh')]);
    assert.equal((await ensureManagedConfigIncluded(directory, async () => true)).outcome, 'added');
    before_ = snapshot(join(directory.home, '.ssh'));
    knownHostsBefore = readFileSync(directory.knownHostsFile, 'utf8');
  });

  async function assertRefusedAndNothingWritten(field: string, value: RegExp): Promise<void> {
    const endpoint = (await core!.controller.endpoints(instance.id)).ssh;
    await assert.rejects(access.prepare(instance, endpoint, run), (error: unknown) => {
      assert.ok(SwarmError.is(error, 'INVALID_CONFIG'), String(error));
      assert.equal(error.details.field, field);
      assert.match(error.message, new RegExp(`^SSH access to "${instance.name}" was not prepared\\. ${field}: `));
      assert.match(error.message, value);
      assert.match(error.message, /Nothing was written\.$/);
      return true;
    });
    assert.deepEqual(snapshot(join(directory.home, '.ssh')), before_, 'the ssh config, known_hosts and keys folder are as they were');
    for (const host of ['github.com', 'remote-swarm.other', hostAlias(instance.name)]) {
      assert.deepEqual(resolved(directory, host).filter((line) => line.startsWith('proxycommand ')), [], `ssh -G ${host}: no ProxyCommand`);
    }
    assert.deepEqual(resolved(directory, 'github.com').filter((line) => line.startsWith('user ')), ['user git']);
  }

  it('refuses a user name that carries a Host block with a ProxyCommand (id -un answering with line breaks)', async () => {
    const payload = 'root\nHost *\n  ProxyCommand touch /tmp/pwned\n';
    await run(['sh', '-c', 'printf "#!/bin/sh\\nprintf %%s \'%s\'\\n" "$1" > "$2" && chmod 755 "$2"', 'plant', payload, FAKE_ID]);
    try {
      assert.equal((await run(['id', '-un'])).stdout, payload, 'the container\'s id -un answers with the payload');
      await assertRefusedAndNothingWritten('user', /"root\\nHost \*\\n {2}ProxyCommand touch \/tmp\/pwned" is not a POSIX user name/);
    } finally {
      await run(['rm', '-f', FAKE_ID]);
    }
  });

  const hostKeyPayloads: { title: string; line: () => string; value: RegExp }[] = [
    {
      title: 'a key whose own type (inside its data) ends its line and adds "* ssh-ed25519 <attacker key>"',
      line: () => `ssh-ed25519 ${Buffer.concat([sshString(`ssh-ed25519\n* ssh-ed25519 ${attackerKey}`), sshString(Buffer.alloc(32, 7))]).toString('base64')} root@evil`,
      value: /hostKey: "ssh-ed25519\\n\* ssh-ed25519 AAAA.*is not a host key of a type OpenSSH knows/,
    },
    {
      title: 'a key file whose type carries a line break and a "* ssh-ed25519 <attacker key>" line',
      line: () => `ssh-ed25519\n* ssh-ed25519 ${attackerKey} root@evil`,
      value: /hostKey: "ssh-ed25519" is not a key line/,
    },
    {
      title: 'a key file whose stated type is not the type of its key',
      line: () => `ssh-rsa ${attackerKey} root@evil`,
      value: /hostKey: "ssh-rsa" is not the type its key data names \(ssh-ed25519\)/,
    },
  ];
  for (const { title, line, value } of hostKeyPayloads) {
    it(`refuses ${title} in ${HOST_KEY_FILE}`, async () => {
      await run(['sh', '-c', 'cp "$1" "$1.orig" && printf "%s\\n" "$2" > "$1"', 'plant', HOST_KEY_FILE, line()]);
      try {
        await assertRefusedAndNothingWritten('hostKey', value);
      } finally {
        await run(['sh', '-c', 'mv "$1.orig" "$1"', 'restore', HOST_KEY_FILE]);
      }
    });
  }

  it('prepares the same container once it answers plainly: one Host block and its host key are added, nothing else', async () => {
    const alias = await access.prepare(instance, (await core!.controller.endpoints(instance.id)).ssh, run);
    const after = snapshot(join(directory.home, '.ssh'));
    const changed = Object.keys(after).filter((path) => after[path] !== before_[path]);
    assert.deepEqual(changed.sort(), ['remote-swarm/config', 'remote-swarm/keys', `remote-swarm/keys/${instance.name}`, `remote-swarm/keys/${instance.name}.pub`, 'remote-swarm/known_hosts']);
    assert.deepEqual(resolved(directory, alias).filter((line) => /^(user|hostname|proxycommand) /.test(line)).sort(), ['hostname 127.0.0.1', 'user root']);
    const hostKey = (await run(['cat', HOST_KEY_FILE])).stdout.split(' ').slice(0, 2).join(' ');
    assert.equal(readFileSync(directory.knownHostsFile, 'utf8'), `${knownHostsBefore}${alias} ${hostKey}\n`);
  });
});
