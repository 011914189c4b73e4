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
  const settingsFile = () => path.join(userDataDir, 'User', 'settings.json');
  const userSettings = () => JSON.parse(readFileSync(settingsFile(), 'utf8')) as Record<string, unknown>;
  function writeSettings(content: Record<string, unknown> | string): void {
    mkdirSync(path.dirname(settingsFile()), { recursive: true });
    writeFileSync(settingsFile(), typeof content === 'string' ? content : JSON.stringify(content));
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

  it('makes the local IDE image the default in the user settings, keeping the others, when the default image is neither here nor pullable, saying why', async () => {
    writeSettings({ 'workbench.colorTheme': 'Default Dark Modern' });
    const choice = await chooseStartImage({ docker, userDataDir, prepareLocalImage, defaultImage: MISSING_IMAGE });
    assert.equal(choice.kind, 'local');
    assert.equal(choice.image, LOCAL_IDE);
    assert.match(prepared[0] ?? '', new RegExp(`^${MISSING_IMAGE} is not on this Docker Engine and (no registry serves it here \\(.+\\)|no registry answered)`));
    assert.deepEqual(userSettings(), { 'workbench.colorTheme': 'Default Dark Modern', 'remoteSwarm.docker.defaultImage': LOCAL_IDE });
  });

  it('replaces a local IDE image it set before with the current one', async () => {
    writeSettings({ 'remoteSwarm.docker.defaultImage': 'remote-swarm/ide:old000000000' });
    await chooseStartImage({ docker, userDataDir, prepareLocalImage, defaultImage: MISSING_IMAGE });
    assert.deepEqual(userSettings(), { 'remoteSwarm.docker.defaultImage': LOCAL_IDE });
  });

  it('leaves a default image the user set alone', async () => {
    writeSettings({ 'remoteSwarm.docker.defaultImage': 'example.org/my-ide:1' });
    const choice = await chooseStartImage({ docker, userDataDir, prepareLocalImage, defaultImage: MISSING_IMAGE });
    assert.deepEqual(choice, { kind: 'user', image: 'example.org/my-ide:1', settingsFile: settingsFile() });
    assert.deepEqual(prepared, []);
  });

  it('refuses to overwrite a settings file it cannot read, naming it', async () => {
    writeSettings('{ // a comment\n}');
    await assert.rejects(chooseStartImage({ docker, userDataDir, prepareLocalImage, defaultImage: MISSING_IMAGE }), /Cannot read .*User\/settings\.json .*fix or remove it/);
    assert.equal(readFileSync(settingsFile(), 'utf8'), '{ // a comment\n}');
  });
});
