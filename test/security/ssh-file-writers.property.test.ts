import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { utils } from 'ssh2';
import { SwarmError } from '../../src/core/errors';
import { HostKeyTrust } from '../../src/ssh/hostKeyTrust';
import { hostPublicKey, type HostPublicKey } from '../../src/ssh/hostPublicKey';
import { parseAliasKeys, renderAliasKeys } from '../../src/ssh/knownHosts';
import { ManagedSshConfig, type SshHostEntry } from '../../src/ssh/managedSshConfig';
import { proxyCommandLine } from '../../src/ssh/sshConfigSyntax';
import { sshDirectory, type SshDirectory } from '../../src/ssh/sshDirectory';
import { addManagedConfigInclude } from '../../src/ssh/userSshConfigInclude';
import { makeTempDir } from '../support/tempDir';

const RUNS = { numRuns: 200 };

/** Text that ends lines, adds directives, widens patterns or gets expanded by ssh or the shell, mixed with plain text. */
const hostile = fc.constantFrom('\n', '\r\n', '\0', '\t', ' ', '*', '?', '!', ',', '%', '%h', '${HOME}', '"', "'", '\\', '#', '=', '-', '~', 'Host *', '  ProxyCommand touch /tmp/pwned', 'Match all', '\u2028', 'é');
const mixed = fc.oneof(
  fc.array(fc.oneof(hostile, fc.string({ unit: 'grapheme-ascii', maxLength: 6 }), fc.stringMatching(/^[a-z0-9.-]{1,8}$/)), { maxLength: 5 }).map((parts) => parts.join('')),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
/** Text the shell would read as something else, none of it a control character (which is refused). */
const shellText = fc.string({ unit: fc.constantFrom("'", "'\\''", '"', '$', '`', ';', '%', '%h', '%%', '=', '#', '*', ' ', '\\', '${HOME}', '$(touch /tmp/pwned)', '|', '&', '<', '>', '~', '!', '-', 'a', 'é'), maxLength: 6 });
/**
 * Mostly values of the field's kind, sometimes hostile text or anything at all: with seven fields, about a third of
 * the entries are written and the rest refused.
 */
function field(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: mixed, weight: 1 });
}
const alias = field(fc.stringMatching(/^remote-swarm\.[a-z][a-z0-9-]{0,10}$/));
/** Windows paths (C:\…) are written with "/", so they would not read back as given; they have tests of their own. */
const path = field(fc.array(fc.stringMatching(/^[A-Za-z0-9 ._%$-]{1,8}$/), { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join('/')}`)).filter((text) => !/^[A-Za-z]:\\/.test(text));

/** What the real ssh client makes of `host`: each directive ssh -G prints, with its values. */
function resolved(directory: SshDirectory, host: string): Map<string, string[]> {
  const output = execFileSync('ssh', ['-G', '-F', directory.userConfigFile, host], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const directives = new Map<string, string[]>();
  for (const line of output.split('\n').filter((text) => text !== '')) {
    const [key = '', ...value] = line.split(' ');
    directives.set(key, [...(directives.get(key) ?? []), value.join(' ')]);
  }
  return directives;
}

function refusedNamingField(error: unknown, fields: readonly string[]): void {
  assert.ok(SwarmError.is(error, 'INVALID_CONFIG'), String(error));
  assert.ok(fields.includes(String(error.details.field)), `field ${String(error.details.field)}`);
  assert.match(error.message, /Nothing was written\.$/);
}

function conflictNamingLine(error: unknown, file: string): void {
  assert.ok(SwarmError.is(error, 'CONFLICT'), String(error));
  assert.equal(error.details.file, file);
  assert.match(error.message, /did not write, at line \d+: .*nothing was written/s);
}

/** ssh prints an IP address in its own spelling (e.g. "::" for "::0:0:0:0.0.0.0") and names in lower case. */
function sameHost(printed: string, written: string): boolean {
  const family = isIP(written);
  if (family === 0) return printed === written.toLowerCase();
  const addresses = new BlockList();
  addresses.addAddress(written, family === 4 ? 'ipv4' : 'ipv6');
  return isIP(printed) === family && addresses.check(printed, family === 4 ? 'ipv4' : 'ipv6');
}

function insertLine(text: string, position: number, line: string): string {
  const lines = text.split('\n');
  lines.splice(position % lines.length, 0, line);
  return lines.join('\n');
}

describe('Security: the ssh file writers, for any value in any field (property-based, real OpenSSH client)', function () {
  this.timeout(120_000);
  let temp: ReturnType<typeof makeTempDir>;
  let directory: SshDirectory;
  let config: ManagedSshConfig;
  let recorder: string;
  let record: string;
  const other: SshHostEntry = { alias: 'remote-swarm.other', hostName: '10.0.0.5', port: 2222, user: 'dev', knownHostsFile: '/tmp/other_known_hosts' };
  let baseConfig: string;
  let untouched: Map<string, Map<string, string[]>>;

  before(() => {
    temp = makeTempDir('remote-swarm-property-');
    directory = sshDirectory(temp.path);
    mkdirSync(join(temp.path, '.ssh'), { mode: 0o700 });
    writeFileSync(directory.userConfigFile, 'Host github.com\n  User git\n\nHost *\n  ServerAliveInterval 30\n');
    addManagedConfigInclude(directory.userConfigFile, directory.configFile);
    config = new ManagedSshConfig(directory.configFile);
    config.upsert(other);
    baseConfig = readFileSync(directory.configFile, 'utf8');
    untouched = new Map(['github.com', other.alias].map((host) => [host, resolved(directory, host)]));
    // A ProxyCommand program that records the arguments the shell gave it, NUL-separated.
    recorder = join(temp.path, 'record-argv');
    record = join(temp.path, 'argv');
    writeFileSync(recorder, '#!/bin/sh\nfor a; do printf \'%s\\0\' "$a"; done > "$RECORD_TO"\n');
    chmodSync(recorder, 0o755);
  });
  after(() => temp.remove());

  describe('the managed ssh config', () => {
    const entry = fc.record(
      {
        alias,
        hostName: field(fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9.-]{0,20}$/), fc.ipV4(), fc.ipV6())),
        port: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 65_535 }), weight: 6 }, fc.oneof(fc.integer(), fc.double())),
        user: field(fc.stringMatching(/^[a-z_][a-z0-9_.-]{0,15}$/)),
        identityFile: path,
        proxyCommand: fc.oneof(
          fc.array(field(shellText), { maxLength: 4 }).map((args) => ['RECORDER', ...args]),
          fc.array(field(fc.oneof(shellText, fc.stringMatching(/^[a-z0-9@:.=-]{1,10}$/))), { maxLength: 4 }),
        ),
        knownHostsFile: path,
      },
      { requiredKeys: ['alias', 'hostName', 'port', 'user', 'knownHostsFile'] },
    );

    it('refuses the entry naming its field and writes nothing, or writes exactly it: ssh resolves what was meant and nothing else', () => {
      // ssh turns UpdateHostKeys off itself once UserKnownHostsFile is set: it never writes to Remote Swarm's known_hosts.
      const SSH_DIRECTIVES = new Set(['hostname', 'port', 'user', 'identityfile', 'identitiesonly', 'proxycommand', 'hostkeyalias', 'userknownhostsfile', 'stricthostkeychecking', 'updatehostkeys']);
      fc.assert(
        fc.property(entry, (generated) => {
          const written: SshHostEntry = { ...generated, ...(generated.proxyCommand?.[0] === 'RECORDER' ? { proxyCommand: [recorder, ...generated.proxyCommand.slice(1)] } : {}) };
          writeFileSync(directory.configFile, baseConfig);
          const before = /^[a-z0-9][a-z0-9._-]*$/.test(written.alias) ? resolved(directory, written.alias) : undefined;
          try {
            config.upsert(written);
          } catch (error) {
            refusedNamingField(error, ['alias', 'hostName', 'port', 'user', 'identityFile', 'proxyCommand', 'knownHostsFile']);
            assert.equal(readFileSync(directory.configFile, 'utf8'), baseConfig, 'nothing was written');
            return;
          }
          const expected = [...(written.alias === other.alias ? [] : [other]), written].sort((a, b) => (a.alias < b.alias ? -1 : 1));
          assert.deepEqual(config.entries(), expected, 'the file reads back as exactly the entries written');

          const after = resolved(directory, written.alias);
          assert.ok(sameHost(after.get('hostname')?.[0] ?? '', written.hostName), `hostname ${String(after.get('hostname'))}`);
          assert.deepEqual(after.get('port'), [String(written.port)]);
          assert.deepEqual(after.get('user'), [written.user]);
          assert.deepEqual(after.get('hostkeyalias'), [written.alias]);
          assert.deepEqual(after.get('userknownhostsfile'), [written.knownHostsFile]);
          assert.deepEqual(after.get('stricthostkeychecking'), ['true']);
          assert.deepEqual(after.get('updatehostkeys'), ['false']);
          // ssh -G shows IdentityFile and ProxyCommand before expanding their %-tokens, where "%%" stands for "%".
          if (written.identityFile !== undefined) assert.deepEqual(after.get('identityfile'), [written.identityFile.replace(/%/g, '%%')]);
          assert.deepEqual(after.get('proxycommand'), written.proxyCommand === undefined ? undefined : [proxyCommandLine(written.proxyCommand)]);
          for (const [key, values] of before ?? []) {
            if (!SSH_DIRECTIVES.has(key)) assert.deepEqual(after.get(key), values, `${key} is as it was`);
          }
          for (const [host, directives] of untouched) {
            if (host !== written.alias) assert.deepEqual(resolved(directory, host), directives, `${host} resolves as before`);
          }

          if (written.proxyCommand?.[0] === recorder) {
            rmSync(record, { force: true });
            spawnSync('ssh', ['-F', directory.userConfigFile, '-o', 'BatchMode=yes', written.alias, 'true'], { stdio: 'ignore', env: { ...process.env, SHELL: '/bin/sh', RECORD_TO: record } });
            const args = readFileSync(record, 'utf8').split('\0').slice(0, -1);
            assert.deepEqual(args, written.proxyCommand.slice(1), 'the ProxyCommand gets its arguments as they were');
          }
        }),
        RUNS,
      );
    });

    it('accepts only text it writes itself: anything slipped in is a CONFLICT naming its line, and the file is kept as found', () => {
      const junk = fc.oneof(mixed, fc.constantFrom('Host *', '  ProxyCommand touch /tmp/pwned', 'Match all', 'Include /etc/evil', '  User root', ''), fc.string({ maxLength: 30 }));
      fc.assert(
        fc.property(fc.nat(), junk, (position, line) => {
          const tampered = insertLine(baseConfig, position, line);
          writeFileSync(directory.configFile, tampered);
          let entries: SshHostEntry[];
          try {
            entries = config.entries();
          } catch (error) {
            conflictNamingLine(error, directory.configFile);
            assert.throws(() => config.remove(other.alias), (thrown) => (conflictNamingLine(thrown, directory.configFile), true));
            assert.throws(() => config.upsert({ ...other, alias: 'remote-swarm.new' }), (thrown) => (conflictNamingLine(thrown, directory.configFile), true));
            assert.equal(readFileSync(directory.configFile, 'utf8'), tampered, 'kept as found, for the user to check');
            return;
          }
          const rewritten = new ManagedSshConfig(join(temp.path, 'rewritten'));
          rmSync(rewritten.path, { force: true });
          for (const accepted of entries) rewritten.upsert(accepted);
          assert.equal(readFileSync(rewritten.path, 'utf8'), tampered, 'an accepted file is byte for byte what the writer writes');
        }),
        RUNS,
      );
    });
  });

  describe('the managed known_hosts', () => {
    const keygen = (type: 'ed25519' | 'ecdsa' | 'rsa', bits?: number) => hostPublicKey(Buffer.from((type === 'ed25519' ? utils.generateKeyPairSync('ed25519') : utils.generateKeyPairSync(type, { bits: bits! })).public.split(' ')[1]!, 'base64'));
    const realKeys = [keygen('ed25519'), keygen('ecdsa', 256), keygen('ecdsa', 384), keygen('ecdsa', 521), keygen('rsa', 2048)];
    const sshString = (bytes: Buffer) => Buffer.concat([Buffer.from([0, 0, bytes.length >> 8, bytes.length & 0xff]), bytes]);
    const key: fc.Arbitrary<HostPublicKey> = fc.oneof(
      { arbitrary: fc.constantFrom(...realKeys), weight: 3 },
      // A blob whose own type is anything: the type is what is written into the line.
      fc.tuple(field(fc.constantFrom('ssh-ed25519', 'ssh-rsa')), fc.uint8Array({ maxLength: 40 })).map(([type, data]) => {
        const blob = Buffer.concat([sshString(Buffer.from(type, 'latin1')), sshString(Buffer.from(data))]);
        return { type, base64: blob.toString('base64') };
      }),
      fc.tuple(field(fc.constantFrom('ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256')), fc.constantFrom(...realKeys)).map(([type, real]) => ({ type, base64: real.base64 })),
      fc.tuple(fc.constantFrom(...realKeys), field(fc.base64String({ maxLength: 68 }))).map(([real, base64]) => ({ type: real.type, base64 })),
    );
    const baseKnownHosts = () => renderAliasKeys([{ alias: 'remote-swarm.other', key: realKeys[0]! }]);
    const trust = () => new HostKeyTrust({ managedFile: directory.knownHostsFile, userFiles: [], confirm: async () => assert.fail('not asked') });
    /** The known_hosts lines ssh-keygen -F finds for a host name (patterns and all, as ssh matches them). */
    const found = (host: string) =>
      spawnSync('ssh-keygen', ['-F', host, '-f', directory.knownHostsFile], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter((line) => line !== '' && !line.startsWith('#'));

    it('refuses a key or alias naming its field and writes nothing, or records exactly those keys under exactly that alias', () => {
      fc.assert(
        fc.property(alias, fc.array(key, { maxLength: 3 }), (hostAlias, keys) => {
          writeFileSync(directory.knownHostsFile, baseKnownHosts());
          try {
            trust().replace(hostAlias, keys);
          } catch (error) {
            refusedNamingField(error, ['alias', 'hostKey']);
            assert.equal(readFileSync(directory.knownHostsFile, 'utf8'), baseKnownHosts(), 'nothing was written');
            return;
          }
          const expected = [...parseAliasKeys('base', baseKnownHosts()).filter((entry) => entry.alias !== hostAlias), ...keys.map((written) => ({ alias: hostAlias, key: written }))];
          assert.deepEqual(parseAliasKeys(directory.knownHostsFile, readFileSync(directory.knownHostsFile, 'utf8')), expected);
          assert.deepEqual(found(hostAlias), keys.map((written) => `${hostAlias} ${written.type} ${written.base64}`));
          for (const host of ['github.com', '[127.0.0.1]:22', 'remote-swarm.unrelated']) assert.deepEqual(found(host), [], `nothing recorded for ${host}`);
        }),
        RUNS,
      );
    });

    it('accepts only lines it writes itself: a pattern, marker or anything else slipped in is a CONFLICT, never a trusted key', () => {
      const junk = fc.oneof(mixed, fc.constantFrom(`* ${realKeys[1]!.type} ${realKeys[1]!.base64}`, `@cert-authority * ${realKeys[1]!.type} ${realKeys[1]!.base64}`, `remote-swarm.other,github.com ${realKeys[1]!.type} ${realKeys[1]!.base64}`, '# comment', ''));
      fc.assert(
        fc.asyncProperty(fc.nat(), junk, async (position, line) => {
          const tampered = insertLine(baseKnownHosts(), position, line);
          writeFileSync(directory.knownHostsFile, tampered);
          let accepted;
          try {
            accepted = parseAliasKeys(directory.knownHostsFile, tampered);
          } catch (error) {
            conflictNamingLine(error, directory.knownHostsFile);
            const target = { alias: 'remote-swarm.other', name: 'other', host: '10.0.0.5', port: 22 };
            await assert.rejects(trust().verify(target, realKeys[1]!), (thrown) => (conflictNamingLine(thrown, directory.knownHostsFile), true));
            assert.throws(() => trust().forget('remote-swarm.other'), (thrown) => (conflictNamingLine(thrown, directory.knownHostsFile), true));
            assert.equal(readFileSync(directory.knownHostsFile, 'utf8'), tampered, 'kept as found, for the user to check');
            return;
          }
          assert.equal(renderAliasKeys(accepted), tampered, 'an accepted file is byte for byte what the writer writes');
        }),
        RUNS,
      );
    });
  });
});
