import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedSshConfig, type SshHostEntry } from '../../src/ssh/managedSshConfig';
import { sshDirectory, type SshDirectory } from '../../src/ssh/sshDirectory';
import { addManagedConfigInclude, ensureManagedConfigIncluded, includesManagedConfig } from '../../src/ssh/userSshConfigInclude';
import { makeTempDir } from '../support/tempDir';

const FIXTURES = join(__dirname, '..', 'fixtures', 'ssh-config');
const golden = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
/** The golden files are written for HOME=/home/dev. */
const GOLDEN_HOME = '/home/dev';

describe('SSH config files', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let dir: SshDirectory;
  const asGolden = (text: string) => text.split(temp.path).join(GOLDEN_HOME);

  beforeEach(() => {
    temp = makeTempDir('remote-swarm-home-');
    dir = sshDirectory(temp.path);
  });
  afterEach(() => temp.remove());

  function containerEntry(port = 32768): SshHostEntry {
    return { alias: 'remote-swarm.dev-1', hostName: '127.0.0.1', port, user: 'coder', identityFile: join(dir.keysDir, 'dev-1'), knownHostsFile: dir.knownHostsFile };
  }
  function agentEntry(): SshHostEntry {
    return { alias: 'remote-swarm.build-box', hostName: 'build-box.example.com', port: 22, user: 'dev', knownHostsFile: dir.knownHostsFile };
  }
  function userConfig(content = golden('user-config.original')): string {
    mkdirSync(join(temp.path, '.ssh'), { recursive: true, mode: 0o700 });
    writeFileSync(dir.userConfigFile, content, { mode: 0o600 });
    return dir.userConfigFile;
  }
  const consentOnce = () => {
    const asked: string[] = [];
    return { asked, consent: async () => (asked.push('asked'), true) };
  };

  describe('the managed config (~/.ssh/remote-swarm/config)', () => {
    it('has one Host block per instance, sorted, as in the golden file; private file in a private folder', () => {
      const config = new ManagedSshConfig(dir.configFile);
      assert.equal(config.upsert(containerEntry()), true);
      assert.equal(config.upsert(agentEntry()), true);
      assert.equal(asGolden(readFileSync(dir.configFile, 'utf8')), golden('managed-config.golden'));
      assert.equal(statSync(dir.configFile).mode & 0o777, 0o600);
      assert.equal(statSync(dir.root).mode & 0o777, 0o700);
    });

    it('is idempotent: the same entries in any order give the same bytes, and an unchanged entry writes nothing', () => {
      const config = new ManagedSshConfig(dir.configFile);
      config.upsert(agentEntry());
      config.upsert(containerEntry());
      const first = readFileSync(dir.configFile, 'utf8');
      const { mtimeMs } = statSync(dir.configFile);
      assert.equal(config.upsert(containerEntry()), false);
      assert.equal(new ManagedSshConfig(dir.configFile).upsert(agentEntry()), false);
      assert.equal(readFileSync(dir.configFile, 'utf8'), first);
      assert.equal(statSync(dir.configFile).mtimeMs, mtimeMs, 'not rewritten');
      assert.equal(asGolden(first), golden('managed-config.golden'));
    });

    it('replaces an instance\'s block when it changes and removes it when the instance goes', () => {
      const config = new ManagedSshConfig(dir.configFile);
      config.upsert(containerEntry());
      config.upsert(agentEntry());
      assert.equal(config.upsert(containerEntry(40000)), true);
      const text = readFileSync(dir.configFile, 'utf8');
      assert.equal(text.match(/^Host remote-swarm\.dev-1$/gm)?.length, 1);
      assert.match(text, /Host remote-swarm\.dev-1\n  HostName 127\.0\.0\.1\n  Port 40000\n/);
      assert.equal(config.remove('remote-swarm.dev-1'), true);
      assert.equal(config.remove('remote-swarm.dev-1'), false);
      assert.doesNotMatch(readFileSync(dir.configFile, 'utf8'), /dev-1/);
      assert.match(readFileSync(dir.configFile, 'utf8'), /Host remote-swarm\.build-box\n/);
    });

    it('quotes paths with spaces and refuses one it cannot quote', () => {
      const config = new ManagedSshConfig(dir.configFile);
      config.upsert({ ...containerEntry(), identityFile: '/home/Dev User/key' });
      assert.match(readFileSync(dir.configFile, 'utf8'), /  IdentityFile "\/home\/Dev User\/key"\n/);
      assert.throws(() => config.upsert({ ...containerEntry(), identityFile: '/tmp/a"b' }), /cannot be written into an ssh config file/);
    });
  });

  describe('the Include line in the user\'s ~/.ssh/config', () => {
    it('is added at the top after the user agrees, with a backup first; every byte of the user\'s file stays', async () => {
      const file = userConfig();
      const { asked, consent } = consentOnce();
      const result = await ensureManagedConfigIncluded(dir, consent);
      assert.equal(result.outcome, 'added');
      assert.equal(asGolden(readFileSync(file, 'utf8')), golden('user-config.included.golden'));
      assert.ok(readFileSync(file, 'utf8').endsWith(golden('user-config.original')), 'the user\'s content follows, untouched');
      assert.ok(result.outcome === 'added' && result.backup !== undefined);
      assert.equal(readFileSync(result.backup, 'utf8'), golden('user-config.original'));
      assert.equal(statSync(file).mode & 0o777, 0o600, 'the mode is kept');
      assert.deepEqual(asked, ['asked']);
    });

    it('is added once: a second run neither asks nor writes', async () => {
      const file = userConfig();
      const { asked, consent } = consentOnce();
      await ensureManagedConfigIncluded(dir, consent);
      const after = readFileSync(file, 'utf8');
      assert.deepEqual(await ensureManagedConfigIncluded(dir, consent), { outcome: 'present' });
      assert.equal(readFileSync(file, 'utf8'), after);
      assert.deepEqual(asked, ['asked']);
      assert.equal(readdirSync(join(temp.path, '.ssh')).filter((name) => name.includes('remote-swarm-backup')).length, 1);
    });

    it('leaves the file alone when the user declines', async () => {
      const file = userConfig();
      assert.deepEqual(await ensureManagedConfigIncluded(dir, async () => false), { outcome: 'declined' });
      assert.equal(readFileSync(file, 'utf8'), golden('user-config.original'));
      assert.equal(readdirSync(join(temp.path, '.ssh')).filter((name) => name.includes('backup')).length, 0);
    });

    it('recognises an Include the user wrote, however spelled, but not one inside a Host block', () => {
      for (const spelling of ['Include ~/.ssh/remote-swarm/config', 'include remote-swarm/config', `Include=${dir.configFile}`, `Include "${dir.configFile}" ~/.ssh/other`]) {
        userConfig(`${spelling}\n${golden('user-config.original')}`);
        assert.equal(includesManagedConfig(dir.userConfigFile, dir.configFile, temp.path), true, spelling);
      }
      userConfig(`${golden('user-config.original')}\nInclude ~/.ssh/remote-swarm/config\n`);
      assert.equal(includesManagedConfig(dir.userConfigFile, dir.configFile, temp.path), false, 'inside the github.com block it would apply to that host only');
    });

    it('keeps CRLF line endings and the file mode', () => {
      const original = golden('user-config.original').replace(/\n/g, '\r\n');
      const file = userConfig(original);
      chmodSync(file, 0o640);
      addManagedConfigInclude(file, dir.configFile);
      assert.equal(asGolden(readFileSync(file, 'utf8')), golden('user-config.included.golden').replace(/\n/g, '\r\n'));
      assert.equal(statSync(file).mode & 0o777, 0o640);
    });

    it('creates a missing config (mode 0600, nothing to back up)', () => {
      const { backup } = addManagedConfigInclude(dir.userConfigFile, dir.configFile);
      assert.equal(backup, undefined);
      assert.equal(asGolden(readFileSync(dir.userConfigFile, 'utf8')), golden('user-config.included.golden').split('\n').slice(0, 2).join('\n') + '\n');
      assert.equal(statSync(dir.userConfigFile).mode & 0o777, 0o600);
    });

    it('edits a symlinked config where it points, keeping the link', () => {
      const real = join(temp.path, 'dotfiles-ssh-config');
      writeFileSync(real, golden('user-config.original'));
      mkdirSync(join(temp.path, '.ssh'));
      symlinkSync(real, dir.userConfigFile);
      const { backup } = addManagedConfigInclude(dir.userConfigFile, dir.configFile);
      assert.ok(statSync(dir.userConfigFile) && readFileSync(dir.userConfigFile, 'utf8').startsWith('# Added by Remote Swarm'));
      assert.equal(readFileSync(real, 'utf8'), readFileSync(dir.userConfigFile, 'utf8'));
      assert.ok(backup?.startsWith(real) && existsSync(backup));
    });
  });

  it('is read by OpenSSH as meant: our hosts resolve through the Include, the user\'s settings still apply', async () => {
    const config = new ManagedSshConfig(dir.configFile);
    config.upsert(containerEntry());
    config.upsert(agentEntry());
    userConfig();
    await ensureManagedConfigIncluded(dir, async () => true);
    const resolved = (host: string) => {
      const lines = execFileSync('ssh', ['-G', '-F', dir.userConfigFile, host], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n');
      return (key: string) => lines.filter((line) => line.startsWith(`${key} `)).map((line) => line.slice(key.length + 1));
    };
    const dev = resolved('remote-swarm.dev-1');
    assert.deepEqual(dev('hostname'), ['127.0.0.1']);
    assert.deepEqual(dev('port'), ['32768']);
    assert.deepEqual(dev('user'), ['coder']);
    assert.equal(dev('identityfile')[0], join(dir.keysDir, 'dev-1'));
    assert.deepEqual(dev('identitiesonly'), ['yes']);
    assert.deepEqual(dev('hostkeyalias'), ['remote-swarm.dev-1']);
    assert.deepEqual(dev('stricthostkeychecking'), ['true']);
    assert.equal(dev('userknownhostsfile')[0], dir.knownHostsFile);
    assert.deepEqual(dev('serveraliveinterval'), ['30'], 'the user\'s "Host *" settings still apply after the Include');
    const github = resolved('github.com');
    assert.deepEqual(github('user'), ['git'], 'the user\'s own hosts are as before');
    assert.deepEqual(github('hostkeyalias'), []);
    assert.deepEqual(resolved('remote-swarm.build-box')('hostname'), ['build-box.example.com']);
  });
});
