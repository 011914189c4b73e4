import type { Instance } from '../../core/models';
import type { ProviderCapabilities } from '../../core/provider';
import { isSshReachable } from '../../ssh/sshAccess';
import { COMMANDS } from '../contributions';
import type { ConnectionVia } from './instanceLink';

/** One way into a running instance, and the command that takes it. */
export interface ConnectionWay {
  via: ConnectionVia;
  /** The command's own title, e.g. "Open in VS Code Tab". */
  label: string;
  /** How it opens, after the instance's name: e.g. "in a tab of this window". */
  phrase: string;
  command: string;
  /** What the instance needs for this way, e.g. "an IDE URL". */
  needs: string;
  applies(instance: Instance, capabilities: ProviderCapabilities | undefined): boolean;
}

const hasIdeUrl = (instance: Instance) => instance.urls.ide !== undefined;

export const CONNECTION_WAYS: Readonly<Record<ConnectionVia, ConnectionWay>> = {
  tab: {
    via: 'tab',
    label: 'Open in VS Code Tab',
    phrase: 'in a tab of this window (code-server in the Simple Browser)',
    command: COMMANDS.openInVsCodeTab,
    needs: 'an IDE URL',
    applies: hasIdeUrl,
  },
  browser: { via: 'browser', label: 'Open in Browser', phrase: 'in your browser', command: COMMANDS.openInBrowser, needs: 'an IDE URL', applies: hasIdeUrl },
  ssh: {
    via: 'ssh',
    label: 'Connect via Remote-SSH',
    phrase: 'in a new window through Remote-SSH',
    command: COMMANDS.connectRemoteSsh,
    needs: 'an SSH endpoint (an SSH host, or a Docker template that publishes a port with purpose "ssh")',
    applies: isSshReachable,
  },
  attach: {
    via: 'attach',
    label: 'Attach VS Code (Dev Containers)',
    phrase: 'in a new window attached to its container (Dev Containers)',
    command: COMMANDS.attachVsCode,
    needs: 'a container (Docker instances have one)',
    applies: (_instance, capabilities) => capabilities?.attachContainer === true,
  },
};

/** The ways into the instance as it is now: none unless it runs. */
export function waysInto(instance: Instance, capabilities: ProviderCapabilities | undefined): ConnectionWay[] {
  if (instance.status !== 'running') return [];
  return Object.values(CONNECTION_WAYS).filter((way) => way.applies(instance, capabilities));
}
