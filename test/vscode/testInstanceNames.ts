import { randomBytes } from 'node:crypto';

/**
 * Set by the first module of a test run that loads this one; processes it starts (code-server and its extension host,
 * VS Code) inherit it, so the suite in the extension host names its instances like the harness does.
 */
const TEST_RUN_ENV = 'REMOTE_SWARM_TEST_RUN';
const testRun = (process.env[TEST_RUN_ENV] ??= randomBytes(3).toString('hex'));

/**
 * Every instance a workbench test or the extension-host suite creates is named with this run's prefix, so a sweep
 * removes exactly this run's containers and volumes (the extension labels them only as Remote Swarm's), even when
 * several runs share one Docker engine.
 */
export const TEST_INSTANCE_PREFIX = `rstest-${testRun}-`;

/** A fresh instance name for a test, e.g. "rstest-3f9a1c-lifecycle-07be". */
export function testInstanceName(purpose: string): string {
  return `${TEST_INSTANCE_PREFIX}${purpose}-${randomBytes(2).toString('hex')}`;
}
