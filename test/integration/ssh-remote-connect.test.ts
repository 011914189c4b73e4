import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { utils } from 'ssh2';
import type { Instance } from '../../src/core/models';
import { HostKeyTrust } from '../../src/ssh/hostKeyTrust';
import { SshAccess } from '../../src/ssh/sshAccess';
import { sshDirectory, type SshDirectory } from '../../src/ssh/sshDirectory';
import { ensureManagedConfigIncluded } from '../../src/ssh/userSshConfigInclude';
import { makeCore, type CoreHarness } from '../support/coreHarness';
import { ensureSshTestImage, removeTestResources, requireDocker, testProvider } from '../support/dockerTestEnv';
import { makeSshRig, type SshRig } from '../support/sshTestRig';
import { makeTempDir } from '../support/tempDir';

/** The real OpenSSH client, reading only the user's ssh config in the temporary HOME (as Remote-SSH runs it). */
function ssh(directory: SshDirectory, host: string, command: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('ssh', ['-F', directory.userConfigFile, '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', host, command], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}


describe('Connect via Remote-SSH: the managed ssh config works with the real ssh client', function () {
  this.timeout(120_000);
  let temp: ReturnType<typeof makeTempDir>;
  let directory: SshDirectory;
  let core: CoreHarness;

  describe('for a Docker instance running sshd (real engine)', () => {
    let access: SshAccess;
    let image: string;

    before(async () => {
      await requireDocker();
      image = ensureSshTestImage();
    });
    beforeEach(async () => {
      temp = makeTempDir('remote-swarm-home-');
      directory = sshDirectory(temp.path);
      access = new SshAccess(directory, new HostKeyTrust({ managedFile: directory.knownHostsFile, userFiles: directory.userKnownHostsFiles, confirm: async () => assert.fail('a container\'s host keys are read, never asked about') }));
      core = await makeCore(join(temp.path, 'state'), { docker: () => testProvider() });
    });
    afterEach(async () => {
      core.dispose();
      temp.remove();
      await removeTestResources();
    });

    async function createWithSshd(name: string): Promise<Instance> {
      return core.controller.create({
        provider: 'docker',
        name,
        overrides: { image, workspacePath: '/workspace', ports: [{ container: 22, purpose: 'ssh' }] },
      });
    }

    it('gives the instance its own key (0600), authorizes it, records its host keys, and ssh remote-swarm.<name> gets in', async () => {
      const instance = await createWithSshd('sshd-box');
      const run = (argv: readonly string[]) => core.controller.exec(instance.id, argv);
      const alias = await access.prepare(instance, (await core.controller.endpoints(instance.id)).ssh, run);
      assert.equal(alias, 'remote-swarm.sshd-box');
      const keyFile = join(directory.keysDir, 'sshd-box');
      assert.equal(statSync(keyFile).mode & 0o777, 0o600);
      assert.equal(statSync(directory.keysDir).mode & 0o777, 0o700);
      const hostKey = (await run(['cat', '/etc/ssh/ssh_host_ed25519_key.pub'])).stdout.split(' ').slice(0, 2).join(' ');
      assert.equal(readFileSync(directory.knownHostsFile, 'utf8'), `remote-swarm.sshd-box ${hostKey}\n`);
      const port = instance.ports.find((mapping) => mapping.purpose === 'ssh')?.host;
      assert.match(readFileSync(directory.configFile, 'utf8'), new RegExp(`Host remote-swarm\\.sshd-box\\n  HostName 127\\.0\\.0\\.1\\n  Port ${port}\\n  User root\\n  IdentityFile "${keyFile}"`));

      assert.deepEqual(await ensureManagedConfigIncluded(directory, async () => true).then((result) => result.outcome), 'added');
      const session = ssh(directory, alias, 'echo connected-$((1+1)); id -un');
      assert.equal(session.status, 0, session.stderr);
      assert.equal(session.stdout, 'connected-2\nroot\n');

      const config = readFileSync(directory.configFile, 'utf8');
      await access.prepare(instance, (await core.controller.endpoints(instance.id)).ssh, run);
      assert.equal(readFileSync(directory.configFile, 'utf8'), config, 'preparing again changes nothing');
      assert.equal((await run(['grep', '-c', 'remote-swarm sshd-box', '/root/.ssh/authorized_keys'])).stdout, '1\n', 'the key is authorized once');
    });

    it('lets ssh refuse a host whose key is not the one recorded', async () => {
      const instance = await createWithSshd('sshd-changed');
      const alias = await access.prepare(instance, (await core.controller.endpoints(instance.id)).ssh, (argv) => core.controller.exec(instance.id, argv));
      await ensureManagedConfigIncluded(directory, async () => true);
      const impostor = utils.generateKeyPairSync('ed25519').public.split(' ').slice(0, 2).join(' ');
      writeFileSync(directory.knownHostsFile, `${alias} ${impostor}\n`);
      const session = ssh(directory, alias, 'true');
      assert.notEqual(session.status, 0);
      assert.match(session.stderr, /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    });

    it('forgets the Host block, host keys and key pair of a deleted instance', async () => {
      const instance = await createWithSshd('sshd-gone');
      await access.prepare(instance, (await core.controller.endpoints(instance.id)).ssh, (argv) => core.controller.exec(instance.id, argv));
      access.forget({ name: 'sshd-gone' });
      assert.doesNotMatch(readFileSync(directory.configFile, 'utf8'), /sshd-gone/);
      assert.equal(readFileSync(directory.knownHostsFile, 'utf8'), '');
      assert.equal(existsSync(join(directory.keysDir, 'sshd-gone')), false);
      assert.equal(existsSync(join(directory.keysDir, 'sshd-gone.pub')), false);
    });

    it('says what is missing when an instance publishes no SSH port', async () => {
      const instance = await core.controller.create({ provider: 'docker', name: 'no-sshd', overrides: { image, workspacePath: '/workspace' } });
      await assert.rejects(access.prepare(instance, (await core.controller.endpoints(instance.id)).ssh, (argv) => core.controller.exec(instance.id, argv)), /publishes no SSH port.*"purpose": "ssh"/);
    });
  });

  describe('for an existing SSH host (real sshd)', () => {
    let rig: SshRig;

    beforeEach(async () => {
      rig = await makeSshRig();
      directory = rig.directory;
      core = await makeCore(join(rig.home, 'state'), { ssh: () => rig.provider() });
    });
    afterEach(async () => {
      core.dispose();
      await rig.dispose();
    });

    it('uses the user\'s own key and the host key verified when the host was added', async () => {
      const config = rig.hostConfig('own-box');
      const instance = await core.controller.create({ provider: 'ssh', name: 'own-box', overrides: config });
      assert.equal(rig.questions.length, 1);
      const alias = await new SshAccess(directory, rig.trust).prepare(instance, (await core.controller.endpoints(instance.id)).ssh, (argv) => core.controller.exec(instance.id, argv));
      assert.match(readFileSync(directory.configFile, 'utf8'), new RegExp(`IdentityFile "${rig.sshd.userKeyFile}"`));
      await ensureManagedConfigIncluded(directory, async () => true);
      const session = ssh(directory, alias, 'echo "on $HOME"');
      assert.equal(session.status, 0, session.stderr);
      assert.equal(session.stdout, `on ${rig.sshd.home}\n`);
      assert.equal(rig.questions.length, 1, 'not asked again');
    });
  });
});
