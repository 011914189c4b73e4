import assert from 'node:assert/strict';
import { SwarmError } from '../../src/core/errors';
import { instanceConfigSchema, instanceNameSchema } from '../../src/core/models';
import { firstProblem, parseOrThrow } from '../../src/core/validation';

const valid = { name: 'dev-1', image: 'img:1', resources: { cpuCores: 1, memoryMB: 512, storageGB: 10 } };

describe('input validation', () => {
  it('accepts DNS-label names and explains what is wrong with others', () => {
    assert.equal(firstProblem(instanceNameSchema, 'dev-1', 'Name'), undefined);
    assert.match(firstProblem(instanceNameSchema, '', 'Name')!, /^Name is required/);
    assert.match(firstProblem(instanceNameSchema, 'Dev', 'Name')!, /lower-case letters/);
    assert.match(firstProblem(instanceNameSchema, '1dev', 'Name')!, /start with a letter/);
    assert.match(firstProblem(instanceNameSchema, 'dev-', 'Name')!, /not end with a hyphen/);
    assert.match(firstProblem(instanceNameSchema, 'a'.repeat(64), 'Name')!, /at most 63 characters/);
  });

  it('names every offending field with the allowed range', () => {
    const bad = { ...valid, resources: { cpuCores: 100, memoryMB: 10.5, storageGB: 0 }, ports: [{ container: 70000 }], env: { '1X': 'y' } };
    assert.throws(() => parseOrThrow(instanceConfigSchema, bad, 'config'), (error: SwarmError) => {
      assert.equal(error.code, 'INVALID_CONFIG');
      assert.match(error.message, /config\.resources\.cpuCores must be at most 64 cores/);
      assert.match(error.message, /config\.resources\.memoryMB must be a whole number of megabytes/);
      assert.match(error.message, /config\.resources\.storageGB must be at least 1 GB/);
      assert.match(error.message, /config\.ports\.0\.container must be between 1 and 65535/);
      assert.match(error.message, /config\.env\.1X is not a valid environment variable name/);
      assert.deepEqual(error.details.field, 'config.resources.cpuCores');
      return true;
    });
  });

  it('fills safe defaults: loopback ports, password auth, a workspace path', () => {
    const config = parseOrThrow(instanceConfigSchema, { ...valid, ports: [{ container: 8080 }] }, '');
    assert.equal(config.ports[0]!.hostIp, '127.0.0.1');
    assert.equal(config.auth.type, 'password');
    assert.equal(config.workspacePath, '/home/coder/project');
  });

  it('marks only transient errors retryable', () => {
    assert.equal(new SwarmError('PROVIDER_UNAVAILABLE', 'x').retryable, true);
    assert.equal(new SwarmError('RATE_LIMITED', 'x').retryable, true);
    assert.equal(new SwarmError('INVALID_CONFIG', 'x').retryable, false);
    assert.equal(new SwarmError('CONFLICT', 'x', { retryable: true }).retryable, true);
  });
});
