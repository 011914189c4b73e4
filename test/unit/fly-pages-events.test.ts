import assert from 'node:assert/strict';
import { FlyError } from '../../src/providers/fly/flyErrors';
import { lastEventText } from '../../src/providers/fly/flyMachineEvents';
import { collectPages, type FlyPage } from '../../src/providers/fly/flyPages';

describe('Fly list pages and machine events', () => {
  it('follows cursors past short and empty pages until none is named', async () => {
    const pages: Record<string, FlyPage<number>> = { start: { items: [1, 2], nextCursor: 'a' }, a: { items: [], nextCursor: 'b' }, b: { items: [3] } };
    const asked: (string | undefined)[] = [];
    const items = await collectPages(async (cursor) => {
      asked.push(cursor);
      return pages[cursor ?? 'start']!;
    });
    assert.deepEqual(items, [1, 2, 3]);
    assert.deepEqual(asked, [undefined, 'a', 'b']);
  });

  it('stops at a server that names the same cursor again', async () => {
    await assert.rejects(
      collectPages(async () => ({ items: [1], nextCursor: 'same' })),
      (error: unknown) => error instanceof FlyError && error.code === 'cursor_loop',
    );
  });

  it('tells the latest event: its kind, an error, an exit code or an out-of-memory kill', () => {
    assert.equal(lastEventText(undefined), undefined);
    const events = [
      { type: 'launch', status: 'created', timestamp: 1 },
      { type: 'exit', status: 'failed', timestamp: 3, request: { exit_event: { exit_code: 137, oom_killed: true } } },
      { type: 'start', status: 'started', timestamp: 2 },
    ];
    assert.equal(lastEventText(events), 'exit: failed, killed: out of memory');
    assert.equal(lastEventText([{ type: 'exit', status: 'stopped', timestamp: 1, request: { exit_event: { exit_code: 1 } } }]), 'exit: stopped, exit code 1');
    assert.equal(lastEventText([{ type: 'launch', status: 'failed', timestamp: 1, request: { error: ' image not found ' } }]), 'launch: failed, image not found');
  });
});
