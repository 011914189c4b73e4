import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { chooseStartImage } from '../e2e/harness/startImage';
import { ensureTestImage, requireDocker } from '../support/dockerTestEnv';
import { makeTempDir } from '../support/tempDir';
import { RUN_ID } from '../support/testRun';

const docker = new Docker();
/** No engine has it and no registry serves it. */
const MISSING_IMAGE = `remote-swarm/no-such-image:${RUN_ID}`;
const LOCAL_IDE = 'remote-swarm/ide:0123456789ab';

describe('npm start picks an image a first instance can start with (real Docker Engine)', function () {
  this.timeout(60_000);
  let temp: ReturnType<typeof makeTempDir>;
  let userDataDir: string;
  let prepared: string[];
  const prepareLocalImage = async (reason: string) => {
    prepared.push(reason);
    return LOCAL_IDE;
  };
  const machineSettings = () => JSON.parse(readFileSync(path.join(userDataDir, 'Machine', 'settings.json'), 'utf8')) as Record<string, unknown>;
  function writeSettings(kind: 'User' | 'Machine', settings: Record<string, unknown>): void {
    mkdirSync(path.join(userDataDir, kind), { recursive: true });
    writeFileSync(path.join(userDataDir, kind, 'settings.json'), JSON.stringify(settings));
  }

  before(requireDocker);
  beforeEach(() => {
    temp = makeTempDir('remote-swarm-start-image-');
    userDataDir = path.join(temp.path, 'user-data');
    prepared = [];
  });
  afterEach(() => temp.remove());

  it('keeps the default image when the engine has it, preparing nothing and writing no setting', async () => {
    const image = ensureTestImage();
    assert.deepEqual(await chooseStartImage({ docker, userDataDir, prepareLocalImage, defaultImage: image }), { kind: 'default', image });
    assert.deepEqual(prepared, []);
  });

  it('makes the local IDE image the default in the machine settings when the default image is neither here nor pullable, saying why', async () => {
    writeSettings('Machine', { 'workbench.colorTheme': 'Default Dark Modern' });
    const choice = await chooseStartImage({ docker, userDataDir, prepareLocalImage, defaultImage: MISSING_IMAGE });
    assert.equal(choice.kind, 'local');
    assert.equal(choice.image, LOCAL_IDE);
    assert.match(prepared[0] ?? '', new RegExp(`^${MISSING_IMAGE} is not on this Docker Engine and (no registry serves it here \\(.+\\)|no registry answered)`));
    assert.deepEqual(machineSettings(), { 'workbench.colorTheme': 'Default Dark Modern', 'remoteSwarm.docker.defaultImage': LOCAL_IDE });
  });

  it('replaces a local IDE image it set before with the current one', async () => {
    writeSettings('Machine', { 'remoteSwarm.docker.defaultImage': 'remote-swarm/ide:old000000000' });
    await chooseStartImage({ docker, userDataDir, prepareLocalImage, defaultImage: MISSING_IMAGE });
    assert.deepEqual(machineSettings(), { 'remoteSwarm.docker.defaultImage': LOCAL_IDE });
  });

  for (const kind of ['User', 'Machine'] as const) {
    it(`leaves a default image the user set in their ${kind} settings alone`, async () => {
      writeSettings(kind, { 'remoteSwarm.docker.defaultImage': 'example.org/my-ide:1' });
      const choice = await chooseStartImage({ docker, userDataDir, prepareLocalImage, defaultImage: MISSING_IMAGE });
      assert.deepEqual(choice, { kind: 'user', image: 'example.org/my-ide:1', settingsFile: path.join(userDataDir, kind, 'settings.json') });
      assert.deepEqual(prepared, []);
    });
  }

  it('refuses to overwrite a settings file it cannot read, naming it', async () => {
    mkdirSync(path.join(userDataDir, 'Machine'), { recursive: true });
    writeFileSync(path.join(userDataDir, 'Machine', 'settings.json'), '{ // a comment\n}');
    await assert.rejects(chooseStartImage({ docker, userDataDir, prepareLocalImage, defaultImage: MISSING_IMAGE }), /Cannot read .*Machine\/settings\.json .*fix or remove it/);
    assert.equal(readFileSync(path.join(userDataDir, 'Machine', 'settings.json'), 'utf8'), '{ // a comment\n}');
  });
});
