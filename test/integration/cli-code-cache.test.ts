import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../support/tempDir';

const CODE_CACHE = join(__dirname, '..', '..', 'src', 'cli', 'codeCache.ts');

/** The CLI's code cache, in fresh Node processes as the installed CLI runs: answers stay right whatever the cache holds. */
describe('CLI code cache', function () {
  this.timeout(30_000);
  let temp: ReturnType<typeof makeTempDir>;
  let bundles: string;
  let cache: string;

  beforeEach(() => {
    temp = makeTempDir('remote-swarm-code-cache-');
    bundles = join(temp.path, 'dist');
    cache = join(temp.path, 'state', 'code-cache');
    mkdirSync(bundles);
  });
  afterEach(() => {
    chmodSync(temp.path, 0o700);
    temp.remove();
  });

  function writeBundle(answer: string): void {
    writeFileSync(join(bundles, 'bundle.js'), `const helper = require('./helper.js');\nmodule.exports = () => helper(${JSON.stringify(answer)});\n`);
    writeFileSync(join(bundles, 'helper.js'), 'module.exports = (text) => `answer: ${text} from ${__filename.split("/").pop()}`;\n');
  }

  function runBundle(): string {
    const program = `require(${JSON.stringify(CODE_CACHE)}).installCodeCache(${JSON.stringify(bundles)}, ${JSON.stringify(cache)}); process.stdout.write(require(${JSON.stringify(join(bundles, 'bundle.js'))})());`;
    return execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', program], { encoding: 'utf8' });
  }

  const entries = () => readdirSync(cache).sort();
  const entryFor = (bundle: string) => entries().filter((entry) => entry.startsWith(`${bundle}-`));

  it('keeps one private entry per bundle and reuses it unchanged on the next run', () => {
    writeBundle('42');
    assert.equal(runBundle(), 'answer: 42 from helper.js');
    assert.deepEqual(entries().map((entry) => entry.replace(/-[0-9a-f]+\.v8$/, '')), ['bundle.js', 'helper.js']);
    assert.equal(statSync(cache).mode & 0o777, 0o700);
    for (const entry of entries()) assert.equal(statSync(join(cache, entry)).mode & 0o777, 0o600, entry);
    const written = new Map(entries().map((entry) => [entry, statSync(join(cache, entry)).mtimeMs]));

    assert.equal(runBundle(), 'answer: 42 from helper.js');
    assert.deepEqual(new Map(entries().map((entry) => [entry, statSync(join(cache, entry)).mtimeMs])), written, 'an accepted entry is not rewritten');
  });

  it('runs a changed bundle, never the code cached for its old version, and replaces the old entry', () => {
    writeBundle('42');
    runBundle();
    const [before] = entryFor('bundle.js');
    writeBundle('43'); // same length: only the content's hash tells the versions apart
    assert.equal(runBundle(), 'answer: 43 from helper.js');
    assert.equal(entryFor('bundle.js').length, 1);
    assert.notEqual(entryFor('bundle.js')[0], before);
  });

  it('compiles as usual from a damaged entry and writes a good one', () => {
    writeBundle('42');
    runBundle();
    const [entry] = entryFor('bundle.js');
    writeFileSync(join(cache, entry), 'not a code cache');
    assert.equal(runBundle(), 'answer: 42 from helper.js');
    assert.ok(statSync(join(cache, entry)).size > 'not a code cache'.length, 'the damaged entry is replaced');
  });

  it('runs without a cache where none can be written', function () {
    if (process.getuid?.() === 0) {
      // root writes through any mode; a regular file where the folder should be stops it too.
      mkdirSync(join(temp.path, 'state'));
      writeFileSync(cache, 'a file, not a folder');
    } else {
      chmodSync(temp.path, 0o500);
    }
    writeBundle('42');
    assert.equal(runBundle(), 'answer: 42 from helper.js');
    assert.equal(runBundle(), 'answer: 42 from helper.js');
  });
});
