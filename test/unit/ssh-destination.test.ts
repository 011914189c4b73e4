import assert from 'node:assert/strict';
import { instanceNameSchema } from '../../src/core/models';
import { parseSshDestination, suggestedName } from '../../src/vscode/connect/sshDestination';
import { terminalName } from '../../src/vscode/terminals/terminalNames';
import { attachedContainerUri, sshRemoteUri } from '../../src/vscode/connect/remoteUris';

describe('Connect helpers', () => {
  it('reads ssh destinations as ssh users write them', () => {
    assert.deepEqual(parseSshDestination('dev@build-box.example.com', 'me'), { user: 'dev', host: 'build-box.example.com', port: 22 });
    assert.deepEqual(parseSshDestination(' 10.0.0.5:2222 ', 'me'), { user: 'me', host: '10.0.0.5', port: 2222 });
    assert.deepEqual(parseSshDestination('root@[::1]:22', 'me'), { user: 'root', host: '::1', port: 22 });
    assert.match(parseSshDestination('dev@box:99999', 'me') as string, /^The port must be between 1 and 65535/);
    assert.match(parseSshDestination('-oProxyCommand=x@box', 'me') as string, /^The user must be a user name/);
    assert.match(parseSshDestination('dev@-box', 'me') as string, /^The host must be a host name/);
    assert.match(parseSshDestination('dev@box extra', 'me') as string, /^Write the destination as/);
  });

  it('suggests valid instance names from host names', () => {
    for (const [host, name] of [['build-box.example.com', 'build-box'], ['10.0.0.5', 'host-10-0-0-5'], ['::1', 'host-1'], ['9lives.example', 'host-9lives'], ['Box_Two', 'box-two']]) {
      assert.equal(suggestedName(host!), name);
      assert.ok(instanceNameSchema.safeParse(name).success, name);
    }
  });

  it('names the terminals of one instance "<name>", "<name> (2)", …', () => {
    assert.equal(terminalName('dev-1', new Set()), 'dev-1');
    assert.equal(terminalName('dev-1', new Set(['dev-1', 'other'])), 'dev-1 (2)');
    assert.equal(terminalName('dev-1', new Set(['dev-1', 'dev-1 (2)'])), 'dev-1 (3)');
    assert.equal(terminalName('dev-1', new Set(['dev-1 (2)'])), 'dev-1');
  });

  it('builds the URIs Dev Containers and Remote-SSH resolve', () => {
    const uri = attachedContainerUri('remote-swarm-dev-1', '/home/coder/project');
    const [, hex, path] = /^vscode-remote:\/\/attached-container\+([0-9a-f]+)(\/.*)$/.exec(uri) ?? [];
    assert.deepEqual(JSON.parse(Buffer.from(hex!, 'hex').toString('utf8')), { containerName: '/remote-swarm-dev-1' });
    assert.equal(path, '/home/coder/project');
    const remoteEngine = attachedContainerUri('remote-swarm-dev-1', '/w', 'ssh://me@build-box');
    assert.deepEqual(JSON.parse(Buffer.from(/\+([0-9a-f]+)\//.exec(remoteEngine)![1]!, 'hex').toString('utf8')), {
      containerName: '/remote-swarm-dev-1',
      settings: { host: 'ssh://me@build-box' },
    });
    assert.equal(sshRemoteUri('remote-swarm.box', '/home/dev/my project'), 'vscode-remote://ssh-remote+remote-swarm.box/home/dev/my%20project');
  });
});
