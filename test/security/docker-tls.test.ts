import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import type { SwarmError } from '../../src/core/errors';
import { dockerProvider } from '../../src/providers/docker';
import { dockerOptionsForHost, type DockerTlsSettings } from '../../src/providers/dockerEngine/dockerConnection';
import { testProvider, useDockerSuite } from '../support/dockerTestEnv';
import { memoryProviderContext } from '../support/providerContext';
import { swarmError } from '../support/swarmAssertions';
import { makeTempDir } from '../support/tempDir';
import { startTlsDockerProxy, type TlsDockerEndpoint } from '../support/tlsDockerProxy';

/** Runs `body` with these environment variables set, then puts the previous values back. */
async function withEnvironment(variables: Record<string, string>, body: () => Promise<void>): Promise<void> {
  const previous = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  Object.assign(process.env, variables);
  try {
    await body();
  } finally {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

describe('a Docker engine behind TLS that requires a client certificate (tcp://, as dockerd --tlsverify)', () => {
  const suite = useDockerSuite();
  let engine: TlsDockerEndpoint;

  before(async () => {
    engine = await startTlsDockerProxy();
  });
  after(() => engine?.close());

  const providerWith = (tls: DockerTlsSettings) => testProvider({ host: engine.host, tls });

  it('lists the instances there with docker.tlsVerify and docker.certPath', async () => {
    const { id } = await suite.newInstance('tls');
    const provider = providerWith({ tlsVerify: true, certPath: engine.clientCertPath });
    await provider.initialize();
    assert.deepEqual((await provider.listInstances()).map((instance) => instance.id), [id]);
  });

  it('lists them with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, as the docker CLI does', async () => {
    const { id } = await suite.newInstance('tls-env');
    await withEnvironment({ DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: engine.clientCertPath }, async () => {
      const provider = await dockerProvider.create({ host: engine.host }, memoryProviderContext());
      await provider.initialize();
      assert.ok((await provider.listInstances()).some((instance) => instance.id === id));
    });
  });

  it('without TLS, is unreachable with the TLS settings among what to check', async () => {
    await assert.rejects(providerWith({}).initialize(), swarmError('PROVIDER_UNAVAILABLE', /^Cannot reach the Docker engine at tcp:\/\/127\.0\.0\.1:\d+ .*whether it expects TLS \(docker\.tlsVerify, docker\.certPath\)/));
  });

  it('without a client certificate, is refused, pointing at docker.certPath', async () => {
    await assert.rejects(providerWith({ tlsVerify: true, certPath: engine.caOnlyPath }).initialize(), (error: SwarmError) => {
      swarmError('PROVIDER_UNAVAILABLE', /over TLS: it refused this side's TLS client certificate, or there was none .*cert\.pem and key\.pem/)(error);
      assert.deepEqual(error.remedy, { kind: 'setting', setting: 'docker.certPath' });
      return true;
    });
  });

  it("without the authority that signed the engine's certificate, does not trust the engine", async () => {
    await assert.rejects(providerWith({ tlsVerify: true, certPath: engine.withoutCaPath }).initialize(), swarmError('PROVIDER_UNAVAILABLE', /over TLS: its certificate is not trusted .*ca\.pem/));
  });

  it('a docker.certPath that does not exist is INVALID_CONFIG naming it', async () => {
    await assert.rejects(
      async () => dockerProvider.create({ host: engine.host, tlsVerify: true, certPath: '/nonexistent/remote-swarm-certs' }, memoryProviderContext()),
      swarmError('INVALID_CONFIG', /^docker\.certPath: "\/nonexistent\/remote-swarm-certs" does not exist; name the folder holding ca\.pem, cert\.pem and key\.pem/, 'docker.certPath'),
    );
  });
});

describe('how a Docker host address is reached', () => {
  // A certificate folder with nothing in it: the system's authorities verify the engine, no client certificate is shown.
  let noCertificates: ReturnType<typeof makeTempDir>;
  before(() => {
    noCertificates = makeTempDir('remote-swarm-no-certs-');
  });
  after(() => noCertificates?.remove());
  const tlsEnvironment = { DOCKER_HOST: 'tcp://other-box:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/nonexistent' };

  it('a tcp:// engine over plain HTTP on 2375 unless TLS is on, then HTTPS on 2376', () => {
    assert.deepEqual(pick(dockerOptionsForHost('tcp://build-box', {}, {})), { protocol: 'http', host: 'build-box', port: '2375' });
    assert.deepEqual(pick(dockerOptionsForHost('tcp://build-box', { tlsVerify: true, certPath: noCertificates.path }, {})), { protocol: 'https', host: 'build-box', port: '2376' });
  });

  it("the setting's socket, never the environment's engine or certificates", () => {
    assert.deepEqual(pick(dockerOptionsForHost('unix:///run/user/1000/docker.sock', {}, tlsEnvironment)), { protocol: 'http', socketPath: '/run/user/1000/docker.sock' });
  });

  it('an http:// address with TLS on is INVALID_CONFIG naming docker.host, not a silent downgrade', () => {
    assert.throws(() => dockerOptionsForHost('http://build-box:2376', { tlsVerify: true }, {}), swarmError('INVALID_CONFIG', /plain HTTP but TLS is on/, 'docker.host'));
  });
});

/** The options that say where and how to connect, the unset ones left out. */
function pick(options: Docker.DockerOptions | undefined): Record<string, unknown> {
  const { protocol, host, port, socketPath, ca, cert, key } = options ?? {};
  return Object.fromEntries(Object.entries({ protocol, host, port, socketPath, ca, cert, key }).filter(([, value]) => value !== undefined));
}
