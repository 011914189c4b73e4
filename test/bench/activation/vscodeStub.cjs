// A minimal stand-in for the `vscode` module, enough for activate() of the production bundle outside VS Code
// (test/bench/activation.ts). Everything activate() touches behaves as VS Code's would with nothing shown: views are
// hidden, no setting is set (reads answer the defaults package.json declares), messages are dismissed.
'use strict';
const path = require('node:path');
const { readFileSync } = require('node:fs');

class Disposable {
  static from(...disposables) {
    return new Disposable(() => {
      for (const disposable of disposables) disposable?.dispose();
    });
  }
  constructor(callOnDispose) {
    this.callOnDispose = callOnDispose;
  }
  dispose() {
    const call = this.callOnDispose;
    this.callOnDispose = undefined;
    call?.();
  }
}

class EventEmitter {
  listeners = new Set();
  event = (listener, thisArg, disposables) => {
    const entry = thisArg ? listener.bind(thisArg) : listener;
    this.listeners.add(entry);
    const disposable = new Disposable(() => this.listeners.delete(entry));
    disposables?.push(disposable);
    return disposable;
  };
  fire(data) {
    for (const listener of [...this.listeners]) listener(data);
  }
  dispose() {
    this.listeners.clear();
  }
}

/** An event that never fires. */
const never = () => new Disposable(() => undefined);

class Uri {
  static parse(value) {
    const url = new URL(value);
    return new Uri(url.protocol.slice(0, -1), url.host, decodeURIComponent(url.pathname), url.search.slice(1), url.hash.slice(1));
  }
  static file(fsPath) {
    return new Uri('file', '', path.resolve(fsPath), '', '');
  }
  static joinPath(base, ...segments) {
    return base.with({ path: path.posix.join(base.path, ...segments) });
  }
  static from({ scheme, authority = '', path: uriPath = '', query = '', fragment = '' }) {
    return new Uri(scheme, authority, uriPath, query, fragment);
  }
  constructor(scheme, authority, uriPath, query, fragment) {
    Object.assign(this, { scheme, authority, path: uriPath, query, fragment });
  }
  get fsPath() {
    return this.path;
  }
  with(change) {
    const { scheme, authority, path: uriPath, query, fragment } = { ...this, ...change };
    return new Uri(scheme, authority, uriPath, query, fragment);
  }
  toString() {
    return `${this.scheme}://${this.authority}${this.path}${this.query ? `?${this.query}` : ''}${this.fragment ? `#${this.fragment}` : ''}`;
  }
  toJSON() {
    return this.toString();
  }
}

class ThemeIcon {
  constructor(id, color) {
    this.id = id;
    this.color = color;
  }
}

class ThemeColor {
  constructor(id) {
    this.id = id;
  }
}

class MarkdownString {
  constructor(value = '', supportThemeIcons = false) {
    this.value = value;
    this.supportThemeIcons = supportThemeIcons;
  }
  appendMarkdown(value) {
    this.value += value;
    return this;
  }
  appendText(value) {
    this.value += value.replace(/[\\`*_{}[\]()#+\-.!]/g, '\\$&');
    return this;
  }
  appendCodeblock(code, language = '') {
    this.value += `\n\`\`\`${language}\n${code}\n\`\`\`\n`;
    return this;
  }
}

const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 };

class TreeItem {
  constructor(label, collapsibleState = TreeItemCollapsibleState.None) {
    this.label = label;
    this.collapsibleState = collapsibleState;
  }
}

/** The remoteSwarm.* defaults from package.json, by full key ("remoteSwarm.health.interval"). */
function configurationDefaults(manifestPath) {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const properties = manifest.contributes?.configuration?.properties ?? {};
  return new Map(Object.entries(properties).map(([key, schema]) => [key, schema.default]));
}

function createStub(manifestPath) {
  const defaults = configurationDefaults(manifestPath);
  const commands = new Map();
  const contextKeys = new Map();

  function getConfiguration(section = '') {
    const prefix = section ? `${section}.` : '';
    const get = (key, fallback) => {
      const full = `${prefix}${key}`;
      if (defaults.has(full)) return structuredClone(defaults.get(full) ?? fallback);
      // A section read whole, e.g. get('docker'): the object of its settings, as VS Code answers it.
      const nested = [...defaults].filter(([name]) => name.startsWith(`${full}.`));
      if (nested.length === 0) return fallback;
      const object = {};
      for (const [name, value] of nested) {
        const parts = name.slice(full.length + 1).split('.');
        let target = object;
        for (const part of parts.slice(0, -1)) target = target[part] ??= {};
        target[parts.at(-1)] = structuredClone(value);
      }
      return object;
    };
    return {
      get,
      has: (key) => get(key) !== undefined,
      inspect: (key) => ({ key: `${prefix}${key}`, defaultValue: get(key) }),
      update: async () => undefined,
    };
  }

  function createOutputChannel(name, options) {
    const noop = () => undefined;
    const channel = { name, append: noop, appendLine: noop, replace: noop, clear: noop, show: noop, hide: noop, dispose: noop };
    if (!options?.log) return channel;
    return { ...channel, logLevel: 2, onDidChangeLogLevel: never, trace: noop, debug: noop, info: noop, warn: noop, error: noop };
  }

  function createTreeView(viewId, { treeDataProvider }) {
    return {
      viewId,
      treeDataProvider,
      visible: false,
      selection: [],
      onDidChangeVisibility: never,
      onDidChangeSelection: never,
      onDidExpandElement: never,
      onDidCollapseElement: never,
      reveal: async () => undefined,
      dispose: () => undefined,
    };
  }

  function createStatusBarItem(id, alignment, priority) {
    return { id, alignment, priority, text: '', visible: false, show() { this.visible = true; }, hide() { this.visible = false; }, dispose() { this.visible = false; } };
  }

  return {
    version: '1.100.0',
    Disposable,
    EventEmitter,
    Uri,
    ThemeIcon,
    ThemeColor,
    MarkdownString,
    TreeItem,
    TreeItemCollapsibleState,
    StatusBarAlignment: { Left: 1, Right: 2 },
    ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
    ViewColumn: { Active: -1, Beside: -2, One: 1, Two: 2 },
    QuickInputButtons: { Back: { iconPath: new ThemeIcon('arrow-left') } },
    ExtensionMode: { Production: 1, Development: 2, Test: 3 },
    window: {
      createOutputChannel,
      createTreeView,
      createStatusBarItem,
      registerWebviewPanelSerializer: () => new Disposable(() => undefined),
      registerUriHandler: () => new Disposable(() => undefined),
      onDidCloseTerminal: never,
      onDidOpenTerminal: never,
      terminals: [],
      showInformationMessage: async () => undefined,
      showWarningMessage: async () => undefined,
      showErrorMessage: async () => undefined,
      setStatusBarMessage: () => new Disposable(() => undefined),
      withProgress: async (_options, task) => task({ report: () => undefined }, { isCancellationRequested: false, onCancellationRequested: never }),
    },
    commands: {
      registerCommand(id, callback) {
        if (commands.has(id)) throw new Error(`command '${id}' already exists`);
        commands.set(id, callback);
        return new Disposable(() => commands.delete(id));
      },
      async executeCommand(id, ...args) {
        if (id === 'setContext') return void contextKeys.set(args[0], args[1]);
        return commands.get(id)?.(...args);
      },
    },
    workspace: {
      getConfiguration,
      onDidChangeConfiguration: never,
      onDidGrantWorkspaceTrust: never,
      isTrusted: true,
      workspaceFolders: undefined,
    },
    lm: {
      tools: [],
      registerTool: () => new Disposable(() => undefined),
    },
    LanguageModelToolResult: class LanguageModelToolResult {
      constructor(content) {
        this.content = content;
      }
    },
    LanguageModelTextPart: class LanguageModelTextPart {
      constructor(value) {
        this.value = value;
      }
    },
    env: {
      appName: 'Visual Studio Code',
      remoteName: undefined,
      clipboard: { readText: async () => '', writeText: async () => undefined },
      openExternal: async () => true,
      asExternalUri: async (uri) => uri,
    },
    extensions: { getExtension: () => undefined, all: [] },
    /** For the bench: what activate() registered. */
    __stub: { commands, contextKeys },
  };
}

module.exports = { createStub, Uri };
