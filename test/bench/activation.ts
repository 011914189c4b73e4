// Benchmark of the extension's start-up: the production bundle's load and activate(), outside VS Code. Prints figures;
// asserts nothing. Builds nothing: run `npm run build:prod` first (or `npm run package`).
//   npx tsx test/bench/activation.ts [--runs 7] [--bundle dist/extension.js]
// Each run is a fresh Node process (test/bench/activation/child.cjs), so no module is cached: it requires the bundle
// with a stub `vscode` module (test/bench/activation/vscodeStub.cjs), then awaits activate() with a fake
// ExtensionContext (in-memory globalState and secrets). Load is the require(), activate the promise; medians of --runs.
// Then one more, untimed run under V8 block coverage tells which bundled packages had code run during load and
// activate, by mapping the executed ranges through dist/extension.js.map (the production build writes it; it does not
// ship); which modules Node's own loader was asked for (builtins and the bundle's externals); and which of the SDK
// bundles beside it (dist/vendor/*.js) were loaded (require.cache).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { median, textOption } from './benchKit';

const root = path.resolve(__dirname, '../..');
const child = path.join(__dirname, 'activation', 'child.cjs');
const manifest = path.join(root, 'package.json');

function runChild(bundle: string, mode: 'time' | 'coverage', output?: string): Record<string, number> {
  const result = spawnSync(process.execPath, [child, bundle, manifest, mode, ...(output ? [output] : [])], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`activation run failed (exit ${result.status}):\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
}

const kB = (bytes: number) => `${(bytes / 1024).toFixed(0)} kB`;

interface CoverageRange {
  startOffset: number;
  endOffset: number;
  count: number;
}

interface Coverage {
  functions: { functionName: string; ranges: CoverageRange[] }[];
  requested: string[];
  cacheAdded: string[];
}

interface SourceMap {
  sources: string[];
  mappings: string;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Every mapping segment of a source map as [offset in the generated file, source index], in generated order. */
function segments(map: SourceMap, generated: string): [number, number][] {
  const lineStarts = [0];
  for (let index = generated.indexOf('\n'); index >= 0; index = generated.indexOf('\n', index + 1)) lineStarts.push(index + 1);
  const result: [number, number][] = [];
  let line = 0;
  let column = 0;
  let source = 0;
  let field = 0;
  let value = 0;
  let shift = 0;
  const fields: number[] = [];
  const endSegment = () => {
    if (fields.length > 0) {
      column += fields[0]!;
      if (fields.length > 1) {
        source += fields[1]!;
        result.push([lineStarts[line]! + column, source]);
      }
    }
    fields.length = 0;
    field = 0;
  };
  for (const char of map.mappings) {
    if (char === ';') {
      endSegment();
      line += 1;
      column = 0;
    } else if (char === ',') {
      endSegment();
    } else {
      const digit = BASE64.indexOf(char);
      value += (digit & 31) << shift;
      if (digit & 32) {
        shift += 5;
      } else {
        fields[field++] = value & 1 ? -(value >>> 1) : value >>> 1;
        value = 0;
        shift = 0;
      }
    }
  }
  endSegment();
  return result;
}

/**
 * The sources of the map whose code ran: some of their code inside a function ran (the innermost coverage range
 * holding it has a count above 0), or, for a source with no code inside functions, its top-level code (which always
 * runs). Only code inside functions counts otherwise because esbuild wraps each CommonJS module (and each ES module
 * loaded lazily) in a function whose call is the module's evaluation, while the wrapper's declaration at the top level
 * (`var x=T((e,t)=>{…})`, an `__export` object) is mapped to the module too. An ES module bundled unwrapped whose
 * top-level code ran but none of whose functions were called (e.g. one of zod's unused locales) does not count.
 */
function executedSources(map: SourceMap, generated: string, coverage: Coverage): Set<string> {
  const ranges = coverage.functions.flatMap((fn) => fn.ranges).sort((a, b) => a.startOffset - b.startOffset || b.endOffset - a.endOffset);
  const ran = new Set<number>();
  const inFunctions = new Set<number>();
  const topLevelOnly = new Set<number>();
  const stack: CoverageRange[] = [];
  let next = 0;
  for (const [offset, source] of segments(map, generated).sort((a, b) => a[0] - b[0])) {
    while (next < ranges.length && ranges[next]!.startOffset <= offset) {
      const range = ranges[next++]!;
      while (stack.length > 0 && stack.at(-1)!.endOffset <= range.startOffset) stack.pop();
      stack.push(range);
    }
    while (stack.length > 0 && stack.at(-1)!.endOffset <= offset) stack.pop();
    if (stack.length <= 1) {
      topLevelOnly.add(source);
      continue;
    }
    inFunctions.add(source);
    if (stack.at(-1)!.count > 0) ran.add(source);
  }
  for (const source of topLevelOnly) if (!inFunctions.has(source)) ran.add(source);
  return new Set([...ran].map((source) => map.sources[source]!));
}

/** "zod", "@grpc/grpc-js", or for our own code its folder ("src/core", "src/providers/docker"). */
function packageOf(source: string): string {
  const modules = source.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const [scope, name] = source.slice(modules + 'node_modules/'.length).split('/');
    // Packages that ship source maps of their own list their sources too (@js-sdsl/.build-data/…): keep the scope.
    return scope!.startsWith('@') ? (name!.startsWith('.') ? scope! : `${scope}/${name}`) : scope!;
  }
  const src = source.indexOf('src/');
  const parts = source.slice(src).split('/');
  return parts.slice(0, parts[1] === 'providers' ? 3 : 2).join('/').replace(/\.ts$/, '');
}

/** The provider SDKs bundled apart (esbuild.mjs: dist/vendor/<name>.js), each required on a provider's first use. */
function vendorFiles(bundle: string): string[] {
  const directory = path.join(path.dirname(bundle), 'vendor');
  return existsSync(directory) ? readdirSync(directory).filter((name) => name.endsWith('.js')).sort().map((name) => path.join(directory, name)) : [];
}

function evidence(bundle: string): void {
  const mapFile = `${bundle}.map`;
  const directory = mkdtempSync(path.join(tmpdir(), 'rs-activation-'));
  try {
    const output = path.join(directory, 'coverage.json');
    runChild(bundle, 'coverage', output);
    const coverage = JSON.parse(readFileSync(output, 'utf8')) as Coverage;
    const builtins = coverage.requested.filter((request) => !request.startsWith('.') && !path.isAbsolute(request)).sort();
    console.log(`\nNode's loader was asked for (load + activate): ${builtins.join(', ')}`);
    const others = coverage.requested.filter((request) => request.startsWith('.') || path.isAbsolute(request));
    if (others.length > 0) console.log(`  and by path: ${others.join(', ')}`);
    console.log(`require.cache entries added: ${coverage.cacheAdded.map((key) => path.relative(root, key)).join(', ')}`);
    const vendor = vendorFiles(bundle);
    if (vendor.length > 0) {
      const loaded = new Set(coverage.cacheAdded);
      const describeFile = (file: string) => `${path.basename(file)} (${kB(statSync(file).size)})`;
      console.log(`SDK bundles (${path.relative(root, path.dirname(vendor[0]!))}) loaded: ${vendor.filter((file) => loaded.has(file)).map(describeFile).join(', ') || 'none'}`);
      console.log(`SDK bundles not loaded: ${vendor.filter((file) => !loaded.has(file)).map(describeFile).join(', ') || 'none'}`);
    }
    if (!existsSync(mapFile)) {
      console.log(`\n${path.relative(root, mapFile)} is missing: cannot tell which bundled packages ran (npm run build:prod writes it).`);
      return;
    }
    const map = JSON.parse(readFileSync(mapFile, 'utf8')) as SourceMap;
    const executed = executedSources(map, readFileSync(bundle, 'utf8'), coverage);
    const bundled = new Map<string, { files: number; ran: string[] }>();
    for (const source of map.sources) {
      const entry = bundled.get(packageOf(source)) ?? { files: 0, ran: [] };
      entry.files += 1;
      if (executed.has(source)) entry.ran.push(source);
      bundled.set(packageOf(source), entry);
    }
    const packages = [...bundled].sort(([a], [b]) => a.localeCompare(b));
    const ran = packages.filter(([, { ran }]) => ran.length > 0);
    const idle = packages.filter(([, { ran }]) => ran.length === 0);
    const describe = ([name, { files, ran }]: [string, { files: number; ran: string[] }]) => `${name} (${ran.length}/${files} files)`;
    console.log(`\nBundled code that ran during load + activate (see executedSources):\n  ${ran.filter(([name]) => !name.startsWith('src')).map(describe).join('\n  ')}`);
    console.log(`  ours: ${ran.filter(([name]) => name.startsWith('src')).map(describe).join(', ')}`);
    console.log(`Bundled in ${path.basename(bundle)} but never run:\n  ${idle.map(([name]) => name).join(', ') || 'none'}`);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

function main(): void {
  const runs = Number(textOption('runs', '7'));
  const bundle = path.resolve(root, textOption('bundle', 'dist/extension.js'));
  if (!existsSync(bundle)) {
    console.error(`${path.relative(root, bundle)} does not exist: run \`npm run build:prod\` first.`);
    process.exit(1);
  }
  if (/\/\/# sourceMappingURL=/.test(readFileSync(bundle, 'utf8').slice(-200))) {
    console.warn(`warning: ${path.relative(root, bundle)} looks like a development build (it links a source map); run \`npm run build:prod\`.`);
  }

  const loads: number[] = [];
  const activates: number[] = [];
  const sums: number[] = [];
  for (let run = 0; run < runs; run++) {
    const { loadMs, activateMs } = runChild(bundle, 'time');
    loads.push(loadMs!);
    activates.push(activateMs!);
    sums.push(loadMs! + activateMs!);
  }

  const row = (name: string, values: number[]) =>
    `${name.padEnd(18)}${median(values).toFixed(1).padStart(8)}${Math.min(...values).toFixed(1).padStart(8)}${Math.max(...values).toFixed(1).padStart(8)}`;
  console.log(`${runs} runs, each in a fresh Node ${process.version} process; times in ms\n`);
  console.log(`${''.padEnd(18)}${'median'.padStart(8)}${'min'.padStart(8)}${'max'.padStart(8)}`);
  console.log(row('load (require)', loads));
  console.log(row('activate()', activates));
  console.log(row('load + activate', sums));
  const vendor = vendorFiles(bundle);
  const vendorSize = vendor.reduce((total, file) => total + statSync(file).size, 0);
  console.log(`\n${path.relative(root, bundle)}: ${kB(statSync(bundle).size)}${vendor.length > 0 ? `; the SDK bundles beside it (vendor/*.js, loaded on first use): ${kB(vendorSize)}` : ''}`);
  const vsix = readdirSync(root)
    .filter((name) => name.endsWith('.vsix'))
    .map((name) => ({ name, stat: statSync(path.join(root, name)) }))
    .sort((a, b) => b.stat.mtimeMs - a.stat.mtimeMs)[0];
  console.log(vsix ? `${vsix.name}: ${kB(vsix.stat.size)} (built ${vsix.stat.mtime.toISOString()})` : 'no .vsix in the project folder (npm run package makes one)');

  evidence(bundle);
}

main();
