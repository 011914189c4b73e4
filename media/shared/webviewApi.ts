import type { SnapshotMessage, WebviewMessage } from '../../src/vscode/panels/panelProtocol';

interface VsCodeApi<S> {
  postMessage(message: WebviewMessage): void;
  getState(): S | undefined;
  setState(state: S): void;
}

declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

/** What a panel keeps across reloads and restarts of VS Code: the last snapshot and its own view state. */
export interface PanelState<T, V> {
  snapshot?: T;
  view: V;
}

export interface Panel<T, V> {
  readonly state: PanelState<T, V>;
  /** Changes the view state, keeps it and renders again. */
  updateView(change: Partial<V>): void;
  post(message: WebviewMessage): void;
}

/**
 * Renders at once from the saved state, so a reloaded or restored panel looks as it did, then asks the extension for
 * fresh data and renders every snapshot it sends.
 */
export function startPanel<T, V>(initialView: V, render: (panel: Panel<T, V>) => void): void {
  const api = acquireVsCodeApi<PanelState<T, V>>();
  let state: PanelState<T, V> = api.getState() ?? { view: initialView };
  const keep = (next: PanelState<T, V>) => {
    state = next;
    api.setState(state);
    render(panel);
  };
  const panel: Panel<T, V> = {
    get state() {
      return state;
    },
    updateView: (change) => keep({ ...state, view: { ...state.view, ...change } }),
    post: (message) => api.postMessage(message),
  };
  window.addEventListener('message', (event: MessageEvent<SnapshotMessage<T>>) => {
    if (event.data?.type === 'snapshot') keep({ ...state, snapshot: event.data.snapshot });
  });
  render(panel);
  api.postMessage({ type: 'ready' });
}
