// Bundles the extension to one CommonJS file for the Node 20 extension host (dist/extension.js), each provider SDK
// it loads on first use to one file of its own (dist/vendor), and each webview panel's script (media/*) to one
// browser file in dist/webviews.
// Usage: node esbuild.mjs [--production] [--watch]
import { chmodSync, readFileSync } from 'node:fs';
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/**
 * Dependencies of our dependencies that the extension never runs, replaced in the bundle so they are neither shipped
 * nor parsed at activation:
 * - @grpc/grpc-js, @grpc/proto-loader and protobufjs: dockerode needs them only for BuildKit (buildImage with
 *   version "2", and Docker.followProgress); we pull images and follow progress with docker-modem. A use throws.
 * - cross-fetch (node-fetch, whatwg-url, tr46): fly-admin's Client sends with it, but FlyAdminTransport replaces both
 *   of its sending methods with Node's own fetch; should anything still call it, it is Node's fetch too.
 */
const notBundled = {
  name: 'not-bundled',
  setup(build) {
    build.onResolve({ filter: /^(@grpc\/grpc-js|@grpc\/proto-loader|protobufjs|cross-fetch)$/ }, ({ path }) => ({ path, namespace: 'not-bundled' }));
    build.onLoad({ filter: /^cross-fetch$/, namespace: 'not-bundled' }, () => ({
      contents: 'const fetch = (...args) => globalThis.fetch(...args); module.exports = fetch; module.exports.default = fetch; module.exports.fetch = fetch;',
      loader: 'js',
    }));
    build.onLoad({ filter: /.*/, namespace: 'not-bundled' }, ({ path }) => ({
      contents: `module.exports = new Proxy({}, { get(_, key) { if (typeof key === 'symbol' || key === '__esModule') return undefined; throw new Error(${JSON.stringify(`${path} is not bundled with Remote Swarm (it is only needed for Docker BuildKit builds)`)}); } });`,
      loader: 'js',
    }));
  },
};

/**
 * The provider SDKs and the S3 client of backups, each bundled whole to its own file, dist/vendor/<name>.js, which the extension requires only when
 * a provider first needs it: activation then neither runs nor even parses them. By output name, what is bundled.
 */
const VENDORED = { ssh2: 'ssh2', dockerode: 'dockerode', 'fly-admin': 'fly-admin/dist/client', 'tar-stream': 'tar-stream', 'client-s3': '@aws-sdk/client-s3' };

/**
 * Turns an import of a vendored SDK into a require of its file, `${directory}<name>.js` from the importing bundle,
 * when it resolves to the very module that file bundles (docker-modem's ssh2 does; tar-fs's own older tar-stream does
 * not, and stays in dockerode's file). Our code may import only the vendored entry points themselves.
 */
function vendored(directory) {
  return {
    name: 'vendored',
    setup(build) {
      /** @type {Promise<Map<string, string>> | undefined} */
      let entries;
      const resolveEntries = async () => {
        const resolved = await Promise.all(
          Object.entries(VENDORED).map(async ([name, entry]) => {
            const result = await build.resolve(entry, { kind: 'import-statement', resolveDir: process.cwd(), pluginData: { vendored: true } });
            return /** @type {[string, string]} */ ([result.path, name]);
          }),
        );
        return new Map(resolved);
      };
      build.onResolve({ filter: /^(ssh2|dockerode|fly-admin|tar-stream|@aws-sdk\/client-s3)(\/|$)/ }, async ({ path, kind, importer, resolveDir, pluginData }) => {
        if (kind === 'entry-point' || pluginData?.vendored) return undefined;
        entries ??= resolveEntries();
        const resolved = await build.resolve(path, { kind, importer, resolveDir, pluginData: { vendored: true } });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        const name = (await entries).get(resolved.path);
        if (name) return { path: `${directory}${name}.js`, external: true };
        if (!importer.includes('node_modules')) return { errors: [{ text: `import ${Object.values(VENDORED).join(', ')} only, not ${path}: each is bundled whole to dist/vendor` }] };
        return { path: resolved.path };
      });
    },
  };
}

/**
 * docker-modem requires ssh2 when it loads, for ssh:// engines alone: there the require is made when an ssh:// engine is
 * first reached, so a local or tcp:// engine never loads ssh2 (≈20 ms of the first Docker use). The check fails the
 * build if docker-modem's file no longer starts as expected.
 */
const lazySsh2InDockerModem = {
  name: 'lazy-ssh2-in-docker-modem',
  setup(build) {
    build.onLoad({ filter: /docker-modem[\\/]lib[\\/]ssh\.js$/ }, async ({ path }) => {
      const source = readFileSync(path, 'utf8');
      const eager = "var Client = require('ssh2').Client,";
      if (!source.startsWith(eager)) return { errors: [{ text: `${path} no longer starts with ${eager}: update lazySsh2InDockerModem in esbuild.mjs` }] };
      return { contents: `var Client = function () { return new (require('ssh2').Client)(); },${source.slice(eager.length)}`, loader: 'js' };
    });
  },
};

/** @type {esbuild.BuildOptions} */
const vendorOptions = {
  entryPoints: VENDORED,
  outdir: 'dist/vendor',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['cpu-features', '*.node'],
  plugins: [notBundled, lazySsh2InDockerModem, vendored('./')],
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'info',
};

/** @type {esbuild.BuildOptions} */
const options = {
  entryPoints: ['src/extension.ts'],
  outfile: 'dist/extension.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // ssh2 (through dockerode's docker-modem) tries optional native modules inside try/catch and falls back to
  // pure JavaScript: leave them out of the bundle so that fallback is what runs.
  external: ['vscode', 'cpu-features', '*.node'],
  plugins: [notBundled, vendored('./vendor/')],
  // import() of a vendored SDK becomes a require() of its file too, as import() of a bundled module does: no module
  // of ours goes through Node's ESM loader.
  supported: { 'dynamic-import': false },
  minify: production,
  // Production writes dist/extension.js.map without linking it: it does not ship (.vscodeignore), but the activation
  // bench (test/bench/activation.ts) maps what ran during activation back to packages with it.
  sourcemap: production ? 'external' : 'linked',
  logLevel: 'info',
};

/** The `remote-swarm` CLI (package.json bin): the same core, requiring the same vendored SDKs on first use. */
/** @type {esbuild.BuildOptions} */
const cliOptions = {
  ...options,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli-main.js',
  external: ['cpu-features', '*.node'],
  define: { REMOTE_SWARM_VERSION: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) },
  sourcemap: production ? false : 'linked',
};

/** dist/cli.js, what `remote-swarm` runs: it loads dist/cli-main.js through the code cache (src/cli/codeCache.ts). */
/** @type {esbuild.BuildOptions} */
const cliLauncherOptions = {
  ...cliOptions,
  entryPoints: ['src/cli/bin.ts'],
  outfile: 'dist/cli.js',
  external: ['./cli-main.js'],
  banner: { js: '#!/usr/bin/env node' },
  define: {},
};

/** @type {esbuild.BuildOptions} */
const webviewOptions = {
  entryPoints: { health: 'media/health/healthPanel.ts', cost: 'media/cost/costPanel.ts' },
  outdir: 'dist/webviews',
  bundle: true,
  platform: 'browser',
  target: 'es2022',
  format: 'iife',
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'info',
};

if (watch) {
  for (const build of [options, cliOptions, cliLauncherOptions, vendorOptions, webviewOptions]) await (await esbuild.context(build)).watch();
} else {
  await Promise.all([options, cliOptions, cliLauncherOptions, vendorOptions, webviewOptions].map((build) => esbuild.build(build)));
  chmodSync('dist/cli.js', 0o755);
}
