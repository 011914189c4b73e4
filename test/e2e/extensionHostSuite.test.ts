import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureTestImage, requireDocker } from '../support/dockerTestEnv';
import { makeTempDir } from '../support/tempDir';
import { bundleSuite } from '../vscode/bundleSuite';
import { suiteUserSettings, suiteWorkspaceSettings } from '../vscode/suiteSettings';
import { RUN_SUITE_COMMAND_TITLE, SUITE_BUNDLE_ENV, SUITE_REPORT_ENV, type SuiteReport } from './companion/suiteReport';
import { packageCompanion, packageExtension } from './harness/extensionPackages';
import { pollUntil } from './harness/poll';
import { useWorkbenchSession } from './harness/sessionHooks';

const SUITE_TIMEOUT_MS = 5 * 60_000;

/** The report once mocha has written all of it. */
function readReport(file: string): SuiteReport | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SuiteReport;
  } catch {
    return undefined;
  }
}

/** The report as spec-reporter-like lines, so this test's output shows what ran inside code-server. */
function describeReport(report: SuiteReport): string {
  return [
    ...(report.passes ?? []).map((test) => `        ✔ ${test.fullTitle}`),
    ...(report.pending ?? []).map((test) => `        - ${test.fullTitle} (pending)`),
    ...(report.failures ?? []).map((test) => `        ✗ ${test.fullTitle}: ${test.err.stack ?? test.err.message}`),
  ].join('\n');
}

describe('The extension-host suite (test/vscode) inside code-server', function () {
  this.timeout(SUITE_TIMEOUT_MS + 60_000);
  let temp: ReturnType<typeof makeTempDir> | undefined;
  let reportFile = '';

  const session = useWorkbenchSession(async () => {
    await requireDocker();
    temp = makeTempDir('remote-swarm-suite-report-');
    reportFile = path.join(temp.path, 'report.json');
    return {
      extensions: [await packageExtension(), await packageCompanion()],
      settings: suiteUserSettings(ensureTestImage()),
      workspaceSettings: suiteWorkspaceSettings(),
      env: { [SUITE_BUNDLE_ENV]: await bundleSuite(), [SUITE_REPORT_ENV]: reportFile },
      // The suite's Copy Password test reads the clipboard through the browser.
      permissions: ['clipboard-read', 'clipboard-write'],
    };
  });

  after(() => temp?.remove());

  it('passes, run by the companion extension in the extension host next to Remote Swarm', async () => {
    await session().workbench.runCommand(RUN_SUITE_COMMAND_TITLE);
    const report = await pollUntil(() => readReport(reportFile), { what: `the suite's report in ${reportFile}`, timeoutMs: SUITE_TIMEOUT_MS, intervalMs: 1000 });
    console.log(describeReport(report));
    assert.equal(report.error, undefined, `the suite did not run: ${report.error}`);
    assert.deepEqual(report.failures?.map((test) => test.fullTitle) ?? [], []);
    assert.ok((report.stats?.passes ?? 0) > 0, 'the suite ran no test');
  });
});
