import assert from 'node:assert/strict';
import type { SwarmController } from '../../src/core/controller';

/** The output of `argv` run in an instance, which must exit 0. */
export async function outputOf(controller: SwarmController, member: string, ...argv: string[]): Promise<string> {
  const result = await controller.exec(member, argv);
  assert.equal(result.exitCode, 0, `${argv.join(' ')} in ${member}: ${result.stderr}`);
  return result.stdout;
}

/** The addresses `name` resolves to inside an instance (busybox nslookup), sorted; none when it does not resolve. */
export async function resolvedAddresses(controller: SwarmController, member: string, name: string): Promise<string[]> {
  const result = await controller.exec(member, ['nslookup', name]);
  const answer = result.stdout.split(/\n\s*\n/).slice(1).join('\n');
  return [...answer.matchAll(/Address(?: \d+)?:\s*([0-9a-f.:]+)/g)].map((match) => match[1]!).sort();
}
