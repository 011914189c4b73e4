import { existsSync, writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { SUITE_BUNDLE_ENV, SUITE_REPORT_ENV, type SuiteReport } from './suiteReport';

interface SuiteBundle {
  runSuite(options: { reporter: string; reporterOptions: { output: string } }): Promise<void>;
}

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(vscode.commands.registerCommand('remoteSwarmTests.runExtensionHostSuite', runExtensionHostSuite));
}

/** Loads the bundled suite (test/vscode) into this extension host and runs it; mocha writes the JSON report. */
async function runExtensionHostSuite(): Promise<void> {
  const bundle = requiredEnv(SUITE_BUNDLE_ENV);
  const report = requiredEnv(SUITE_REPORT_ENV);
  try {
    // A path known only at run time, loaded into the running extension host: no static import can name it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const suite = require(bundle) as SuiteBundle;
    await suite.runSuite({ reporter: 'json', reporterOptions: { output: report } });
  } catch (error) {
    // Failed tests are in the report already; anything else (the bundle did not load) becomes the report.
    if (!existsSync(report)) writeFileSync(report, JSON.stringify({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies SuiteReport));
  }
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the e2e harness sets it when it starts code-server`);
  return value;
}
