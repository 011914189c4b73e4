import { join } from 'node:path';
import { FileSecretStore } from '../../src/core/fileSecretStore';
import { JsonFileStore } from '../../src/core/jsonFileStore';
import { instanceConfigSchema, type InstanceConfig } from '../../src/core/models';
import type { SshAddress } from '../../src/ssh/sshAddress';
import { HostKeyTrust, type HostKeyQuestion } from '../../src/ssh/hostKeyTrust';
import { SecretKeyPassphrases } from '../../src/ssh/keyPassphrases';
import { sshDirectory, type SshDirectory } from '../../src/ssh/sshDirectory';
import { SshProvider, type SshProviderDependencies } from '../../src/providers/ssh/sshProvider';
import { startSshd, type SshdOptions, type TestSshd } from './sshdTestServer';
import { makeTempDir } from './tempDir';

/**
 * A real sshd plus everything the SSH provider is given in the extension, over files in a temporary HOME: the
 * managed known_hosts, a file secret store for passphrases, a JSON host store. The user's answers are scripted.
 */
export interface SshRig {
  sshd: TestSshd;
  /** The temporary HOME whose ~/.ssh the code under test reads and writes. */
  home: string;
  directory: SshDirectory;
  trust: HostKeyTrust;
  /** Every host key question asked, in order. */
  questions: HostKeyQuestion[];
  /** The answer to the next host key questions. */
  trustAnswer: boolean;
  /** How long the user takes to answer. */
  answerDelayMs: number;
  secrets: FileSecretStore;
  /** Answers to passphrase prompts, taken in order; the key files asked about are recorded. */
  passphraseAnswers: (string | undefined)[];
  passphrasePrompts: string[];
  /** A provider over the rig's stores; each is disposed with the rig. */
  provider(overrides?: Partial<SshProviderDependencies>): SshProvider;
  /** An "ssh" instance configuration for the test sshd. */
  hostConfig(name: string, overrides?: Partial<SshAddress>): InstanceConfig;
  dispose(): Promise<void>;
}

export async function makeSshRig(sshdOptions: SshdOptions = {}): Promise<SshRig> {
  const temp = makeTempDir('remote-swarm-ssh-home-');
  let sshd: TestSshd;
  try {
    sshd = await startSshd(sshdOptions);
  } catch (error) {
    temp.remove();
    throw error;
  }
  const directory = sshDirectory(temp.path);
  const providers: SshProvider[] = [];
  const hosts = new JsonFileStore(join(temp.path, 'hosts.json'));
  const secrets = new FileSecretStore(join(temp.path, 'secrets.json'));
  const rig: SshRig = {
    sshd,
    home: temp.path,
    directory,
    questions: [],
    trustAnswer: true,
    answerDelayMs: 0,
    secrets,
    passphraseAnswers: [],
    passphrasePrompts: [],
    trust: new HostKeyTrust({
      managedFile: directory.knownHostsFile,
      userFiles: directory.userKnownHostsFiles,
      confirm: async (question) => {
        rig.questions.push(question);
        await new Promise((resolve) => setTimeout(resolve, rig.answerDelayMs));
        return rig.trustAnswer;
      },
    }),
    provider(overrides = {}) {
      const passphrases = new SecretKeyPassphrases(secrets, async (keyFile) => {
        rig.passphrasePrompts.push(keyFile);
        return rig.passphraseAnswers.shift();
      });
      const provider = new SshProvider({ hosts, trust: rig.trust, passphrases, readyTimeoutMs: 5_000, agentSocket: '/nonexistent/agent.sock', ...overrides });
      providers.push(provider);
      return provider;
    },
    hostConfig(name, overrides = {}) {
      return instanceConfigSchema.parse({
        name,
        image: `ssh://${sshd.user}@${sshd.host}:${sshd.port}`,
        workspacePath: join(sshd.home, 'project'),
        resources: { cpuCores: 1, memoryMB: 512, storageGB: 1 },
        options: { host: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.userKeyFile, ...overrides },
      });
    },
    async dispose() {
      for (const provider of providers) provider.dispose();
      await sshd.dispose();
      temp.remove();
    },
  };
  return rig;
}
