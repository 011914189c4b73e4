// Bundles the extension to one CommonJS file for the Node 20 extension host, and each webview panel's script
// (media/*) to one browser file in dist/webviews.
// Usage: node esbuild.mjs [--production] [--watch]
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

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
  minify: production,
  // Production writes dist/extension.js.map without linking it: it does not ship (.vscodeignore), but the activation
  // bench (test/bench/activation.ts) maps what ran during activation back to packages with it.
  sourcemap: production ? 'external' : 'linked',
  logLevel: 'info',
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
  for (const build of [options, webviewOptions]) await (await esbuild.context(build)).watch();
} else {
  await Promise.all([esbuild.build(options), esbuild.build(webviewOptions)]);
}
