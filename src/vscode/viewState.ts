import * as vscode from 'vscode';
import type { Swarm } from '../core/swarm';
import { STATE_CONTEXT_KEY, VIEW_ID } from './contributions';

/** What the instances view shows when it has no items: the welcome content package.json declares for each. */
export type ViewState = 'loading' | 'empty' | 'unreachable' | 'ready';

/** Keeps the remoteSwarm.state context key in step with the registry and the core's refreshes, and shows refresh progress on the view. */
export function trackViewState({ controller, refresher }: Pick<Swarm, 'controller' | 'refresher'>): vscode.Disposable {
  let state: ViewState | undefined;
  const update = () => {
    const next: ViewState = controller.list().length > 0 ? 'ready' : !refresher.hasCompleted ? 'loading' : refresher.hasErrors ? 'unreachable' : 'empty';
    if (next === state) return;
    state = next;
    void vscode.commands.executeCommand('setContext', STATE_CONTEXT_KEY, next);
  };
  update();
  return vscode.Disposable.from(
    controller.onDidChangeInstances(update),
    refresher.onDidRefresh(update),
    refresher.onDidStart((refresh) => void vscode.window.withProgress({ location: { viewId: VIEW_ID } }, () => refresh.catch(() => undefined))),
  );
}
