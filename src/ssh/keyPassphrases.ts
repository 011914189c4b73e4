import type { SecretStore } from '../core/stores';

/** Passphrases of encrypted private keys: remembered in a SecretStore (VS Code SecretStorage), asked for when missing. */
export interface KeyPassphrases {
  /** The remembered passphrase, else the user's answer; undefined when the user gives none. */
  get(keyFile: string): Promise<string | undefined>;
  /** It unlocked the key: remember it. */
  remember(keyFile: string, passphrase: string): Promise<void>;
  /** It did not: forget it, so the next attempt asks again. */
  forget(keyFile: string): Promise<void>;
}

export type AskPassphrase = (keyFile: string) => Promise<string | undefined>;

export function keyPassphraseSecretKey(keyFile: string): string {
  return `remoteSwarm.ssh.passphrase:${keyFile}`;
}

export class SecretKeyPassphrases implements KeyPassphrases {
  constructor(
    private readonly secrets: SecretStore,
    private readonly ask: AskPassphrase,
  ) {}

  async get(keyFile: string): Promise<string | undefined> {
    return (await this.secrets.get(keyPassphraseSecretKey(keyFile))) ?? this.ask(keyFile);
  }

  remember(keyFile: string, passphrase: string): Promise<void> {
    return this.secrets.store(keyPassphraseSecretKey(keyFile), passphrase);
  }

  forget(keyFile: string): Promise<void> {
    return this.secrets.delete(keyPassphraseSecretKey(keyFile));
  }
}
