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

/** The template the suite's workspace recommends: offered next to the built-ins, with the user's default image. */
export const WORKSPACE_TEMPLATE = 'suite-from-workspace';
/** An image no test builds: an instance running it would mean the workspace chose what runs. */
const WORKSPACE_IMAGE = 'remote-swarm/chosen-by-the-workspace:latest';

/**
 * The .vscode/settings.json of the folder both hosts open: a workspace pointing the engine elsewhere, choosing the
 * image, forbidding every create and replacing the built-in development template. The suite passes only if Remote
 * Swarm ignores all of it but the template it adds under a name of its own.
 */
export function suiteWorkspaceSettings(): Record<string, unknown> {
  return {
    // Nothing listens on the discard port: every Docker call would fail if this counted.
    'remoteSwarm.docker.host': 'tcp://127.0.0.1:9',
    'remoteSwarm.docker.defaultImage': WORKSPACE_IMAGE,
    'remoteSwarm.maxInstances': 0,
    'remoteSwarm.templates': [
      { name: 'development', image: WORKSPACE_IMAGE },
      { name: WORKSPACE_TEMPLATE, resources: { memoryMB: 256 } },
    ],
  };
}

/** Writes <workspace>/.vscode/settings.json, the workspace settings VS Code and code-server read for that folder. */
export function writeWorkspaceSettings(workspace: string, settings: Record<string, unknown>): void {
  const dir = path.join(workspace, '.vscode');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
}
