import { removeTestInstances } from './testInstanceCleanup';
import { WorkbenchSession, type WorkbenchSessionOptions } from './workbenchSession';

const SESSION_START_TIMEOUT_MS = 5 * 60_000;
const SESSION_CLOSE_TIMEOUT_MS = 60_000;

/**
 * Mocha hooks for a describe block: a workbench session opened before its tests, artifacts saved for each failing
 * test, and after them the session closed and every test instance's container and volume removed, also on failure.
 * Returns the session's accessor for the tests.
 */
export function useWorkbenchSession(options: () => Promise<WorkbenchSessionOptions>): () => WorkbenchSession {
  let session: WorkbenchSession | undefined;
  before(async function () {
    this.timeout(SESSION_START_TIMEOUT_MS);
    await removeTestInstances();
    session = await WorkbenchSession.open(await options());
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await session?.saveArtifacts(this.currentTest.title);
  });
  after(async function () {
    this.timeout(SESSION_CLOSE_TIMEOUT_MS);
    try {
      await session?.close();
    } finally {
      await removeTestInstances();
    }
  });
  return () => {
    if (!session) throw new Error('No workbench session: its before hook failed');
    return session;
  };
}
