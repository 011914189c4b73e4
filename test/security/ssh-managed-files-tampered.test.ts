import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { SwarmError } from '../../src/core/errors';
import { HostKeyTrust } from '../../src/ssh/hostKeyTrust';
import { hostPublicKey } from '../../src/ssh/hostPublicKey';
import { ManagedSshConfig } from '../../src/ssh/managedSshConfig';
import { SshAccess } from '../../src/ssh/sshAccess';
import { sshDirectory, type SshDirectory } from '../../src/ssh/sshDirectory';
import { makeTempDir } from '../support/tempDir';

const newKey = () => hostPublicKey(Buffer.from(utils.generateKeyPairSync('ed25519').public.split(' ')[1]!, 'base64'));

describe('Security: text Remote Swarm did not write in its ssh files is reported, never kept or trusted', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let directory: SshDirectory;
  let trust: HostKeyTrust;
  let questions: number;

  beforeEach(() => {
    temp = makeTempDir('remote-swarm-home-');
    directory = sshDirectory(temp.path);
    mkdirSync(directory.keysDir, { recursive: true, mode: 0o700 });
    questions = 0;
    trust = new HostKeyTrust({ managedFile: directory.knownHostsFile, userFiles: directory.userKnownHostsFiles, confirm: async () => (questions++, true) });
  });
  afterEach(() => temp.remove());

  const conflictAt = (file: string, line: number, text: string) => (error: unknown) => {
    assert.ok(SwarmError.is(error, 'CONFLICT'), String(error));
    assert.deepEqual(error.details, { file, line });
    assert.ok(error.message.includes(`did not write, at line ${line}: ${JSON.stringify(text)}`), error.message);
    assert.match(error.message, /nothing was written/);
    return true;
  };

  it('a Host block slipped into the managed config (as a user name with line breaks once did) is reported on delete; the rest of the instance goes', () => {
    const config = new ManagedSshConfig(directory.configFile);
    config.upsert({ alias: 'remote-swarm.evil', hostName: '127.0.0.1', port: 32768, user: 'root', identityFile: join(directory.keysDir, 'evil'), knownHostsFile: directory.knownHostsFile });
    const injected = readFileSync(directory.configFile, 'utf8').replace('  User root\n', '  User root\nHost *\n  ProxyCommand touch /tmp/pwned\n');
    writeFileSync(directory.configFile, injected);
    trust.replace('remote-swarm.evil', [newKey()]);
    writeFileSync(join(directory.keysDir, 'evil'), 'private');
    writeFileSync(join(directory.keysDir, 'evil.pub'), 'public');

    assert.throws(() => new SshAccess(directory, trust).forget({ name: 'evil' }), conflictAt(directory.configFile, 8, 'Host *'));
    assert.equal(readFileSync(directory.configFile, 'utf8'), injected, 'left as found, for the user to check');
    assert.equal(readFileSync(directory.knownHostsFile, 'utf8'), '', 'its host keys are forgotten all the same');
    assert.equal(existsSync(join(directory.keysDir, 'evil')), false, 'and its key pair removed');
    assert.throws(() => config.upsert({ alias: 'remote-swarm.next', hostName: '127.0.0.1', port: 2222, user: 'dev', knownHostsFile: directory.knownHostsFile }), conflictAt(directory.configFile, 8, 'Host *'));
  });

  it('a "*" line slipped into the managed known_hosts (as a key type with line breaks once did) trusts no host', async () => {
    const attacker = newKey();
    const legit = newKey();
    writeFileSync(directory.knownHostsFile, `remote-swarm.evil ssh-ed25519\n* ${attacker.type} ${attacker.base64} ${legit.base64}\n`);
    const target = { alias: 'remote-swarm.other', name: 'other', host: 'build-box.example.com', port: 22 };
    await assert.rejects(trust.verify(target, attacker), conflictAt(directory.knownHostsFile, 1, 'remote-swarm.evil ssh-ed25519'));
    assert.equal(questions, 0);
    assert.throws(() => trust.replace('remote-swarm.other', [legit]), conflictAt(directory.knownHostsFile, 1, 'remote-swarm.evil ssh-ed25519'));
    assert.throws(() => trust.forget('remote-swarm.evil'), conflictAt(directory.knownHostsFile, 1, 'remote-swarm.evil ssh-ed25519'));
  });
});
