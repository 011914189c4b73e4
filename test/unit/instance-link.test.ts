import assert from 'node:assert/strict';
import { SwarmError } from '../../src/core/errors';
import { parseInstanceLink } from '../../src/vscode/connect/instanceLink';

/** The path and query of a link as VS Code hands them to the URI handler. */
function parse(link: string): ReturnType<typeof parseInstanceLink> {
  const url = new URL(link);
  return parseInstanceLink(url.pathname, url.search.slice(1));
}

/** The refusal of a link: INVALID_CONFIG naming the field, with a message a user can act on. */
function refusal(link: string): { field: unknown; message: string } {
  try {
    parse(link);
  } catch (error) {
    assert.ok(SwarmError.is(error, 'INVALID_CONFIG'), `not an INVALID_CONFIG: ${String(error)}`);
    return { field: error.details.field, message: error.message };
  }
  assert.fail(`${link} was accepted`);
}

const LINK = 'vscode://remote-swarm.remote-swarm/open';

describe('links that open an instance (vscode://remote-swarm.remote-swarm/open?instance=<name>&via=<way>)', () => {
  it('read the instance and each way to open it, in either order', () => {
    assert.deepEqual(parse(`${LINK}?instance=dev-1&via=tab`), { instance: 'dev-1', via: 'tab' });
    assert.deepEqual(parse(`${LINK}?via=browser&instance=dev-1`), { instance: 'dev-1', via: 'browser' });
    assert.deepEqual(parse(`${LINK}?instance=box&via=ssh`), { instance: 'box', via: 'ssh' });
    assert.deepEqual(parse(`${LINK}?instance=dev-1&via=attach`), { instance: 'dev-1', via: 'attach' });
  });

  it('refuse another path, naming the one link there is', () => {
    const { field, message } = refusal('vscode://remote-swarm.remote-swarm/delete?instance=dev-1&via=tab');
    assert.equal(field, 'path');
    assert.match(message, /"\/delete" is not a Remote Swarm link; links look like \/open\?instance=<name>&via=<tab\|browser\|ssh\|attach>/);
  });

  it('refuse a parameter they do not take, naming it', () => {
    const { field, message } = refusal(`${LINK}?instance=dev-1&via=tab&command=rm`);
    assert.equal(field, 'command');
    assert.equal(message, '"command" is not a parameter of a Remote Swarm link; it takes only instance and via.');
  });

  it('refuse a parameter given twice, so a link cannot mean two things', () => {
    assert.deepEqual(refusal(`${LINK}?instance=dev-1&instance=prod&via=tab`).field, 'instance');
    assert.match(refusal(`${LINK}?instance=dev-1&via=tab&via=ssh`).message, /^via: is given more than once/);
  });

  it('refuse a missing or malformed instance name, saying what a name looks like', () => {
    assert.deepEqual(refusal(`${LINK}?via=tab`), { field: 'instance', message: 'instance: is required: name the instance with instance=<name>, e.g. instance=dev-1.' });
    const bad = refusal(`${LINK}?instance=../../etc&via=tab`);
    assert.equal(bad.field, 'instance');
    assert.match(bad.message, /^instance must use only lower-case letters, digits and hyphens/);
  });

  it('refuse a missing or unknown way, listing the ways there are', () => {
    assert.deepEqual(refusal(`${LINK}?instance=dev-1`), {
      field: 'via',
      message: 'via: is required: say how to open the instance with via=tab, via=browser, via=ssh, via=attach.',
    });
    assert.deepEqual(refusal(`${LINK}?instance=dev-1&via=shell`), {
      field: 'via',
      message: 'via: "shell" is not a way to open an instance; use via=tab, via=browser, via=ssh, via=attach.',
    });
  });

  it('show a long refused value cut short', () => {
    const { message } = refusal(`${LINK}?instance=dev-1&via=${'x'.repeat(500)}`);
    assert.ok(message.length < 200, message);
    assert.match(message, /"x{40}…"/);
  });
});
