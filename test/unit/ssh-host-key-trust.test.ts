import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { utils } from 'ssh2';
import { SwarmError } from '../../src/core/errors';
import { sha256Fingerprint } from '../../src/ssh/hostKeyFingerprint';
import { hostPublicKey, type HostPublicKey } from '../../src/ssh/hostPublicKey';
import { HostKeyTrust, type HostKeyQuestion, type HostKeyTarget } from '../../src/ssh/hostKeyTrust';
import { hostFieldMatches, knownHostName, parseKnownHosts } from '../../src/ssh/knownHosts';
import { makeTempDir } from '../support/tempDir';

function newKey(type: 'ed25519' | 'ecdsa' = 'ed25519'): HostPublicKey {
  const { public: line } = type === 'ecdsa' ? utils.generateKeyPairSync('ecdsa', { bits: 256 }) : utils.generateKeyPairSync('ed25519');
  return hostPublicKey(Buffer.from(line.split(' ')[1]!, 'base64'));
}

describe('Host key trust (known_hosts)', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let questions: HostKeyQuestion[];
  let answer: boolean;
  let trust: HostKeyTrust;
  let managed: string;
  let user: string;
  const target: HostKeyTarget = { alias: 'remote-swarm.box', name: 'box', host: 'Box.Example.com', port: 2222 };

  beforeEach(() => {
    temp = makeTempDir();
    managed = join(temp.path, 'remote-swarm', 'known_hosts');
    user = join(temp.path, 'known_hosts');
    questions = [];
    answer = true;
    trust = new HostKeyTrust({ managedFile: managed, userFiles: [user], confirm: async (question) => (questions.push(question), answer) });
  });
  afterEach(() => temp.remove());

  const rejection = (reason: string) => (error: unknown) => SwarmError.is(error, 'HOST_KEY_REJECTED') && error.details.reason === reason;

  it('names hosts as OpenSSH does and matches plain, wildcard and negated patterns (hashed ones: see the sshd tests)', () => {
    assert.equal(knownHostName('Box.Example.com', 22), 'box.example.com');
    assert.equal(knownHostName('10.0.0.5', 2222), '[10.0.0.5]:2222');
    assert.equal(hostFieldMatches('other,box.example.com', 'box.example.com'), true);
    assert.equal(hostFieldMatches('*.example.com', 'box.example.com'), true);
    assert.equal(hostFieldMatches('*.example.com,!box.example.com', 'box.example.com'), false);
    assert.equal(hostFieldMatches('[10.0.0.?]:2222', '[10.0.0.5]:2222'), true);
    const lines = parseKnownHosts('# comment\n\n@revoked * ssh-ed25519 AAAA\n@cert-authority *.example.com ssh-rsa BBBB\nhost ssh-ed25519 CCCC comment words\n@unknown x y z\nbroken-line\n');
    assert.deepEqual(lines, [
      { marker: 'revoked', hosts: '*', key: { type: 'ssh-ed25519', base64: 'AAAA' } },
      { marker: 'cert-authority', hosts: '*.example.com', key: { type: 'ssh-rsa', base64: 'BBBB' } },
      { hosts: 'host', key: { type: 'ssh-ed25519', base64: 'CCCC' } },
    ]);
  });

  it('asks about an unknown host once, then knows it', async () => {
    const key = newKey();
    await trust.verify(target, key);
    await trust.verify(target, key);
    assert.deepEqual(questions, [{ name: 'box', host: 'Box.Example.com', port: 2222, keyType: 'ssh-ed25519', fingerprint: sha256Fingerprint(key) }]);
    assert.equal(readFileSync(managed, 'utf8'), `remote-swarm.box ssh-ed25519 ${key.base64}\n`);
  });

  it('refuses a key marked @revoked, without asking', async () => {
    const key = newKey();
    writeFileSync(user, `@revoked * ${key.type} ${key.base64}\n`);
    await assert.rejects(trust.verify(target, key), rejection('revoked'));
    assert.deepEqual(questions, []);
  });

  it('reports a key of another type than the one on record as a change, naming the key on record, without asking', async () => {
    const known = newKey('ecdsa');
    writeFileSync(user, `[box.example.com]:2222 ${known.type} ${known.base64}\n`);
    const presented = newKey();
    await assert.rejects(trust.verify(target, presented), (error: unknown) => {
      assert.ok(rejection('changed')(error));
      const expected = `CHANGED: it now presents the ssh-ed25519 key ${sha256Fingerprint(presented)}, but what is on record for it is the ecdsa-sha2-nistp256 key ${sha256Fingerprint(known)} (in ${user})`;
      assert.ok((error as Error).message.includes(expected), (error as Error).message);
      return true;
    });
    assert.deepEqual(questions, [], 'not offered for trust as a first use');
    assert.throws(() => readFileSync(managed), /ENOENT/, 'nothing recorded');
    assert.deepEqual(trust.recordedKeyTypes(target), ['ecdsa-sha2-nistp256'], 'the type a connection asks for first');
  });

  it('ignores @cert-authority lines (certificates are not used)', async () => {
    const key = newKey();
    writeFileSync(user, `@cert-authority * ${key.type} ${key.base64}\n`);
    await trust.verify(target, key);
    assert.equal(questions.length, 1);
  });

  it('records keys read over a trusted channel, replacing older ones, and forgets them', () => {
    const [first, second, other] = [newKey(), newKey(), newKey()];
    mkdirSync(join(temp.path, 'remote-swarm'));
    writeFileSync(managed, `remote-swarm.other ${other.type} ${other.base64}\n`);
    trust.replace('remote-swarm.box', [first]);
    trust.replace('remote-swarm.box', [second]);
    assert.equal(readFileSync(managed, 'utf8'), `remote-swarm.other ${other.type} ${other.base64}\nremote-swarm.box ${second.type} ${second.base64}\n`);
    trust.forget('remote-swarm.box');
    assert.equal(readFileSync(managed, 'utf8'), `remote-swarm.other ${other.type} ${other.base64}\n`);
  });

  it('a declined key is not recorded, so the next attempt asks again', async () => {
    answer = false;
    const key = newKey();
    await assert.rejects(trust.verify(target, key), rejection('declined'));
    answer = true;
    await trust.verify(target, key);
    assert.equal(questions.length, 2);
  });
});
