import assert from 'node:assert/strict';
import type { Instance } from '../../src/core/models';
import { DOCKER_CAPABILITIES } from '../../src/providers/docker/dockerDescription';
import { SSH_CAPABILITIES } from '../../src/providers/ssh/sshDescription';
import { hostAlias } from '../../src/ssh/sshDirectory';
import { waysInto } from '../../src/vscode/connect/connectionWays';
import { attachedContainerUri, sshRemoteUri, type WindowRemote } from '../../src/vscode/connect/remoteUris';
import { instanceOfWindow } from '../../src/vscode/connect/remoteWindow';
import { windowInstanceStatusContent } from '../../src/vscode/healthStatusText';
import { sampleInstance } from '../support/sampleInstance';

function instance(name: string, provider: string, overrides: Partial<Instance> = {}): Instance {
  const sample = sampleInstance(name, { provider, ...overrides });
  return { ...sample, config: { ...sample.config, workspacePath: '/home/coder/project', ...overrides.config } };
}

/** The window a vscode-remote URI opens, as the window itself sees it: vscode.env.remoteName and its folder's authority. */
function windowOpenedAt(uri: string): WindowRemote {
  const { host } = new URL(uri);
  return { remoteName: host.split('+')[0], authority: host };
}

const dev = instance('dev-1', 'docker');
const box = instance('box', 'ssh', { urls: { ssh: 'ssh://me@box.example:22' } });
const instances = [dev, box, instance('other', 'docker')];

describe('the instance of a remote window', () => {
  it('is the instance whose host alias a Remote-SSH window is connected to, as Connect via Remote-SSH opens it', () => {
    assert.equal(instanceOfWindow(windowOpenedAt(sshRemoteUri(hostAlias('box'), '/home/me')), instances), box);
    assert.equal(instanceOfWindow(windowOpenedAt(sshRemoteUri(hostAlias('dev-1'), '/home/coder/project')), instances), dev);
  });

  it('is found when Remote-SSH writes the host as hex of JSON, as it does for names it cannot put plainly', () => {
    const hex = Buffer.from(JSON.stringify({ hostName: hostAlias('box') })).toString('hex');
    assert.equal(instanceOfWindow({ remoteName: 'ssh-remote', authority: `ssh-remote+${hex}` }, instances), box);
  });

  it('is the Docker instance whose container a Dev Containers window is attached to, on any engine', () => {
    assert.equal(instanceOfWindow(windowOpenedAt(attachedContainerUri('remote-swarm-dev-1', '/home/coder/project')), instances), dev);
    assert.equal(instanceOfWindow(windowOpenedAt(attachedContainerUri('remote-swarm-dev-1', '/w', 'ssh://me@build-box')), instances), dev);
  });

  it("is none for a local window, another remote, a host or container of the user's own, or an instance no longer registered", () => {
    const none = (remote: WindowRemote) => assert.equal(instanceOfWindow(remote, instances), undefined);
    none({ remoteName: undefined, authority: undefined });
    none({ remoteName: undefined, authority: '' });
    none(windowOpenedAt(sshRemoteUri('my-own-server', '/home/me')));
    none(windowOpenedAt(sshRemoteUri(hostAlias('deleted'), '/home/me')));
    none(windowOpenedAt(attachedContainerUri('postgres', '/')));
    none(windowOpenedAt(attachedContainerUri('remote-swarm-box', '/')));
    none({ remoteName: 'wsl', authority: 'wsl+Ubuntu' });
    none({ remoteName: 'dev-container', authority: `dev-container+${Buffer.from('{"containerName":"/remote-swarm-dev-1"}').toString('hex')}` });
    none({ remoteName: 'attached-container', authority: 'attached-container+not-hex' });
    none({ remoteName: 'ssh-remote', authority: 'attached-container+7b7d' });
  });
});

describe('the status bar item of an instance window', () => {
  it('names the instance and its health while it is checked, in warning colours when unhealthy, with the last error', () => {
    const summary = { id: dev.id, name: dev.name, monitored: true };
    assert.deepEqual(windowInstanceStatusContent(dev, { ...summary, health: 'HEALTHY' }), {
      text: '$(remote) dev-1: healthy',
      troubled: false,
      tooltip: 'This window is the Remote Swarm instance "dev-1": healthy. Click to open the health panel.',
    });
    const unhealthy = windowInstanceStatusContent(dev, { ...summary, health: 'UNHEALTHY', lastError: 'connection refused' });
    assert.equal(unhealthy.text, '$(remote) dev-1: unhealthy');
    assert.equal(unhealthy.troubled, true);
    assert.match(unhealthy.tooltip, /unhealthy \(connection refused\)/);
    assert.equal(windowInstanceStatusContent(dev, { ...summary, health: 'UNKNOWN' }).text, '$(remote) dev-1: health not known yet');
  });

  it('says the instance status when it is not checked (stopped, or health checks off)', () => {
    const stopped = { ...dev, status: 'stopped' as const };
    assert.equal(windowInstanceStatusContent(stopped, { id: dev.id, name: dev.name, monitored: false, health: 'UNKNOWN' }).text, '$(remote) dev-1: stopped');
    assert.deepEqual(windowInstanceStatusContent(dev, undefined), {
      text: '$(remote) dev-1: running',
      troubled: false,
      tooltip: 'This window is the Remote Swarm instance "dev-1": running. Click to open the health panel.',
    });
  });
});

describe('the ways into an instance (Connect to Instance, and links)', () => {
  const vias = (target: Instance, capabilities = DOCKER_CAPABILITIES) => waysInto(target, capabilities).map(({ via }) => via);

  it('are the IDE in a tab or the browser, and Dev Containers, for a running Docker instance; Remote-SSH too with an SSH port', () => {
    assert.deepEqual(vias(dev), ['tab', 'browser', 'attach']);
    assert.deepEqual(vias({ ...dev, urls: { ...dev.urls, ssh: 'ssh://coder@127.0.0.1:2222' } }), ['tab', 'browser', 'ssh', 'attach']);
  });

  it('are Remote-SSH, and the IDE where code-server runs, for an SSH host; none for an instance that is not running', () => {
    assert.deepEqual(vias({ ...box, urls: { ssh: box.urls.ssh } }, SSH_CAPABILITIES), ['ssh']);
    assert.deepEqual(vias({ ...box, urls: { ...box.urls, ide: 'http://127.0.0.1:4000/' } }, SSH_CAPABILITIES), ['tab', 'browser', 'ssh']);
    assert.deepEqual(vias({ ...dev, status: 'stopped' }), []);
  });
});
