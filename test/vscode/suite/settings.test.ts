import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { WORKSPACE_TEMPLATE } from '../suiteSettings';
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

  it("offers the workspace's own template, and ignores what the workspace says about the engine, the image, the limit and the built-in templates", async () => {
    const configuration = vscode.workspace.getConfiguration('remoteSwarm');
    assert.ok(configuration.inspect('templates')?.workspaceValue, 'the workspace folder has its .vscode/settings.json (test/vscode/suiteSettings.ts)');
    assert.notEqual(configuration.get('docker.host'), 'tcp://127.0.0.1:9', 'VS Code itself leaves an application-scoped setting of the workspace out');
    const recommended = await suite.instances.create('workspace', WORKSPACE_TEMPLATE);
    assert.equal(recommended.config.resources.memoryMB, 256);
    const development = await suite.instances.create('builtin', 'development');
    for (const instance of [recommended, development]) {
      assert.equal(instance.status, 'running', 'made on the real engine, under the limit of the user settings');
      assert.equal(instance.config.image, configuredTestImage());
    }
  });
});
