import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SwarmError } from '../../src/core/errors';
import { sha256Fingerprint } from '../../src/ssh/hostKeyFingerprint';
import { sshKeygen } from '../support/sshdTestServer';
import { makeSshRig, type SshRig } from '../support/sshTestRig';

describe('Security: a host key of another type than the one on record (real sshd with Ed25519 and ECDSA host keys)', function () {
  this.timeout(30_000);
  let rig: SshRig;
  let counter = 0;
  const nextId = () => `keytype${process.pid}n${++counter}`;

  beforeEach(async () => {
    rig = await makeSshRig({ hostKeyTypes: ['ed25519', 'ecdsa'] });
  });
  afterEach(async () => {
    await rig?.dispose();
  });

  /** Records `line` ("type base64") for the test sshd in the user's own ~/.ssh/known_hosts. */
  function userKnownHost(line: string): string {
    const file = rig.directory.userKnownHostsFiles[0]!;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `[127.0.0.1]:${rig.sshd.port} ${line}\n`);
    return file;
  }

  it('connects when the key on record is of a type the host also has, asking for that type first, without asking the user', async () => {
    const ecdsa = rig.sshd.hostKeys[1]!;
    userKnownHost(`${ecdsa.type} ${ecdsa.base64}`);
    await rig.provider().createInstance({ id: nextId(), config: rig.hostConfig('ecdsa-known') });
    assert.deepEqual(rig.questions, []);
    assert.equal(readFileSync(rig.directory.knownHostsFile, 'utf8'), `remote-swarm.ecdsa-known ${ecdsa.type} ${ecdsa.base64}\n`, 'recorded for ssh under the alias');
  });

  it('refuses a host whose key on record is of a type it no longer presents, as a change naming the key on record, not a first use', async () => {
    const recordedFile = join(rig.home, 'old-rsa-host-key');
    sshKeygen(recordedFile, { type: 'rsa' });
    const [type = '', base64 = ''] = readFileSync(`${recordedFile}.pub`, 'utf8').split(' ');
    const file = userKnownHost(`${type} ${base64}`);
    await assert.rejects(rig.provider().createInstance({ id: nextId(), config: rig.hostConfig('rsa-known') }), (error: unknown) => {
      assert.ok(SwarmError.is(error, 'HOST_KEY_REJECTED'), String(error));
      assert.equal(error.details.reason, 'changed');
      const presented = rig.sshd.hostKeys[0]!;
      assert.ok(
        error.message.includes(`it now presents the ssh-ed25519 key ${sha256Fingerprint(presented)}, but what is on record for it is the ssh-rsa key ${sha256Fingerprint({ type, base64 })} (in ${file})`),
        error.message,
      );
      assert.match(error.message, /ssh-keygen -R "\[127\.0\.0\.1\]:\d+"/);
      return true;
    });
    assert.deepEqual(rig.questions, [], 'never offered for trust as if the host were new');
    assert.throws(() => readFileSync(rig.directory.knownHostsFile), /ENOENT/, 'nothing recorded');
  });
});
