import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { publishedPortReach } from '../../src/providers/dockerEngine/dockerConnection';
import { proxyCommandLine } from '../../src/ssh/sshConfigSyntax';

describe('where this machine reaches a port a Docker engine published', () => {
  it('on loopback for a local engine, whatever address the port is bound to there', () => {
    assert.deepEqual(publishedPortReach('unix:///var/run/docker.sock', '0.0.0.0', 32768), { host: '127.0.0.1', port: 32768 });
    assert.deepEqual(publishedPortReach('tcp://127.0.0.1:2375', '127.0.0.1', 32768), { host: '127.0.0.1', port: 32768 });
  });

  it('through ssh -W to the engine\'s host for an ssh:// engine, with its user and port', () => {
    assert.deepEqual(publishedPortReach('ssh://dev@build-box:2222', '127.0.0.1', 40001), {
      host: '127.0.0.1',
      port: 40001,
      proxyCommand: ['ssh', '-p', '2222', '-W', '127.0.0.1:40001', 'dev@build-box'],
    });
  });

  it('on a tcp:// engine\'s host only when the port is bound to every address there', () => {
    assert.deepEqual(publishedPortReach('tcp://build-box:2375', '0.0.0.0', 40001), { host: 'build-box', port: 40001 });
    assert.equal(publishedPortReach('tcp://build-box:2375', '127.0.0.1', 40001), undefined, 'its loopback is not ours');
  });
});

describe('a ProxyCommand line', () => {
  it('gives the shell back every argument as it was, hostile ones included', () => {
    const argv = ['ssh', '-W', '127.0.0.1:22', "it's $(touch /tmp/pwned) `id` ; *"];
    const line = proxyCommandLine(argv);
    const echoed = execFileSync('sh', ['-c', `printf '%s\\n' ${line}`], { encoding: 'utf8' });
    assert.deepEqual(echoed.trimEnd().split('\n'), argv);
  });

  it('refuses a line break, which would end the ssh config line', () => {
    assert.throws(() => proxyCommandLine(['ssh', 'host\nProxyCommand evil']), /proxyCommand/);
  });
});
