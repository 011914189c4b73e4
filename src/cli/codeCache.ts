import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { basename, dirname, join, sep } from 'node:path';
import { Script } from 'node:vm';

interface CompiledScript {
  script: Script;
  cacheFile: string;
  reusable: boolean;
}

type Compile = (this: Module, content: string, filename: string) => unknown;

/**
 * Runs the bundles under `bundleDirectory` from V8's code cache in `cacheDirectory`, so a one-shot command neither
 * parses nor compiles the ≈1 MB of JavaScript it loads (a third of `list`'s time). Node 20 has no compile cache of its
 * own (module.enableCompileCache is Node 22). The cache is written at exit, after the run, so it also holds the
 * functions compiled lazily while the command ran; each entry is named by its source's hash and V8's version, so an
 * upgraded bundle or Node never meets a stale entry. Any trouble with the cache falls back to compiling as usual.
 */
export function installCodeCache(bundleDirectory: string, cacheDirectory: string): void {
  const moduleInternals = Module.prototype as unknown as { _compile: Compile };
  const compile = moduleInternals._compile;
  const compiled: CompiledScript[] = [];
  moduleInternals._compile = function compileFromCache(this: Module, content: string, filename: string): unknown {
    if (!filename.startsWith(bundleDirectory + sep)) return compile.call(this, content, filename);
    const cacheFile = join(cacheDirectory, `${basename(filename)}-${createHash('sha256').update(process.version).update(content).digest('hex').slice(0, 24)}.v8`);
    const cachedData = readIfPresent(cacheFile);
    const script = new Script(Module.wrap(content), { filename, cachedData });
    compiled.push({ script, cacheFile, reusable: cachedData !== undefined && !script.cachedDataRejected });
    const wrapper = script.runInThisContext() as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, Module.createRequire(filename), this, filename, dirname(filename));
  };
  process.once('exit', () => {
    for (const entry of compiled) if (!entry.reusable) writeCacheEntry(entry);
  });
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Replaces the bundle's older entries; written aside and renamed, so a concurrent run reads a whole entry or none. */
function writeCacheEntry({ script, cacheFile }: CompiledScript): void {
  try {
    const directory = dirname(cacheFile);
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const bundle = basename(cacheFile).replace(/-[0-9a-f]+\.v8$/, '-');
    for (const stale of readdirSync(directory)) if (stale.startsWith(bundle) && stale !== basename(cacheFile)) rmSync(join(directory, stale), { force: true });
    const partial = `${cacheFile}.${process.pid}`;
    writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
    renameSync(partial, cacheFile);
  } catch {
    // A cache that cannot be written only costs the next run its compile time.
  }
}
