import assert from 'node:assert/strict';
import { configuredTestImage, useRemoteSwarm, withSetting } from './remoteSwarm';

describe('Remote Swarm settings', () => {
  const suite = useRemoteSwarm();

  it('runs new instances from the image remoteSwarm.docker.defaultImage names', async () => {
    const instance = await suite.instances.create('image');
    assert.equal(instance.config.image, configuredTestImage());
    assert.equal(instance.status, 'running');
  });

  it('offers the templates of remoteSwarm.templates as soon as they change', async () => {
    await withSetting('templates', [{ name: 'suite-small', resources: { memoryMB: 256 } }], async () => {
      const instance = await suite.instances.create('template', 'suite-small');
      assert.equal(instance.config.template, 'suite-small');
      assert.equal(instance.config.resources.memoryMB, 256);
    });
  });

  it('refuses to create more instances than remoteSwarm.maxInstances', async () => {
    await suite.instances.create('limit');
    await withSetting('maxInstances', 1, () => assert.rejects(suite.instances.create('over-limit'), { code: 'RESOURCE_LIMIT_EXCEEDED' }));
  });
});
