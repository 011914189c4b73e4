// One activation, in a fresh Node process so nothing is cached (test/bench/activation.ts runs it).
//   node child.cjs <bundle> <package.json> time|coverage [<coverage output file>]
// time: prints {"loadMs", "activateMs"} as JSON: the require() of the bundle, then activate(context) until its promise
// settles. coverage: no timing (the inspector slows everything down); writes the V8 block coverage of the bundle, the
// modules Node's loader was asked for and the require.cache entries added, during load and activate.
'use strict';
const Module = require('node:module');
const path = require('node:path');
const { writeFileSync, writeSync } = require('node:fs');
const { pathToFileURL } = require('node:url');
const { performance } = require('node:perf_hooks');
const { createStub, Uri } = require('./vscodeStub.cjs');

const [bundleArgument, manifest, mode, coverageOutput] = process.argv.slice(2);
const bundle = path.resolve(bundleArgument);

// `vscode` resolves to a stub placed in the module cache, as if it were a module on disk.
const stubFile = path.join(__dirname, 'vscode.stub.js');
const stubModule = new Module(stubFile);
stubModule.filename = stubFile;
stubModule.loaded = true;
stubModule.exports = createStub(manifest);
require.cache[stubFile] = stubModule;
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? stubFile : resolveFilename.call(this, request, ...rest);
};

const never = () => ({ dispose: () => undefined });

function memento() {
  const values = new Map();
  return {
    get: (key, fallback) => (values.has(key) ? structuredClone(values.get(key)) : fallback),
    update: async (key, value) => void (value === undefined ? values.delete(key) : values.set(key, structuredClone(value))),
    keys: () => [...values.keys()],
    setKeysForSync: () => undefined,
  };
}

function secretStorage() {
  const values = new Map();
  return {
    get: async (key) => values.get(key),
    store: async (key, value) => void values.set(key, value),
    delete: async (key) => void values.delete(key),
    onDidChange: never,
  };
}

function extensionContext() {
  const root = path.dirname(manifest);
  const storage = Uri.file(path.join(root, '.bench-storage-unused'));
  return {
    subscriptions: [],
    globalState: memento(),
    workspaceState: memento(),
    secrets: secretStorage(),
    extensionUri: Uri.file(root),
    extensionPath: root,
    globalStorageUri: storage,
    storageUri: undefined,
    logUri: storage,
    extensionMode: 1,
    asAbsolutePath: (relative) => path.join(root, relative),
  };
}

function deactivate(extension, context) {
  for (const subscription of context.subscriptions) subscription.dispose();
  extension.deactivate?.();
}

async function timed() {
  const context = extensionContext();
  const start = performance.now();
  const extension = require(bundle);
  const loaded = performance.now();
  await extension.activate(context);
  const activated = performance.now();
  deactivate(extension, context);
  return { loadMs: loaded - start, activateMs: activated - loaded };
}

async function covered() {
  const inspector = require('node:inspector');
  const session = new inspector.Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });

  const requested = new Set();
  const load = Module._load;
  Module._load = function (request, ...rest) {
    requested.add(request);
    return load.call(this, request, ...rest);
  };
  const cachedBefore = new Set(Object.keys(require.cache));
  const context = extensionContext();
  const extension = require(bundle);
  await extension.activate(context);
  Module._load = load;
  const cacheAdded = Object.keys(require.cache).filter((key) => !cachedBefore.has(key));

  const { result } = await post('Profiler.takePreciseCoverage');
  await post('Profiler.stopPreciseCoverage');
  session.disconnect();
  deactivate(extension, context);
  const url = pathToFileURL(bundle).href;
  const script = result.find((entry) => entry.url === url || entry.url === bundle);
  if (!script) throw new Error(`no coverage for ${url}`);
  writeFileSync(coverageOutput, JSON.stringify({ functions: script.functions, requested: [...requested], cacheAdded }));
  return {};
}

(mode === 'coverage' ? covered() : timed()).then(
  (result) => {
    writeSync(1, `${JSON.stringify(result)}\n`);
    // activate() starts timers (health checks, cost metering) that dispose does stop, but do not wait on anything.
    process.exit(0);
  },
  (error) => {
    writeSync(2, `${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
