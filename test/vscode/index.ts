import Mocha from 'mocha';

/**
 * The extension-host suite: mocha tests that use the real `vscode` API against the installed Remote Swarm extension.
 * Bundled by bundleSuite.ts and loaded by a VS Code extension host: @vscode/test-electron calls run() (its
 * extensionTestsPath contract); inside code-server the e2e companion extension calls runSuite() with a JSON reporter.
 */
export function run(): Promise<void> {
  return runSuite({ reporter: 'spec' });
}

export async function runSuite(options: Pick<Mocha.MochaOptions, 'reporter' | 'reporterOptions'>): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, ...options });
  // The suite files call describe/it as they load, so the bdd globals must exist first.
  mocha.suite.emit('pre-require', globalThis, 'remote-swarm-extension-host-suite', mocha);
  await import('./suite/commands.test');
  await import('./suite/settings.test');
  await import('./suite/tree.test');
  await import('./suite/secrets.test');
  await import('./suite/languageModelTools.test');
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
}
