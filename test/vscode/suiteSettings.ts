import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The user settings both hosts of the extension-host suite start with: new Docker instances use the local busybox
 * test image (no registry is reachable), no timer refreshes the view behind the tests' backs, nothing phones home.
 */
export function suiteUserSettings(testImage: string): Record<string, unknown> {
  return {
    'remoteSwarm.docker.defaultImage': testImage,
    'remoteSwarm.refreshInterval': 0,
    'workbench.startupEditor': 'none',
    // Built-in extensions would send telemetry; offline, each attempt is an uncaught error in the extension host.
    'telemetry.telemetryLevel': 'off',
  };
}

/** Writes <userDataDir>/User/settings.json, where VS Code and code-server both read user settings. */
export function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): void {
  const dir = path.join(userDataDir, 'User');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
}
