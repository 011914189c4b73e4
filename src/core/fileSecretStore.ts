import { JsonFileStore } from './jsonFileStore';
import type { SecretStore } from './stores';

/** Secrets in a JSON file readable only by its owner (0600), for tests and the CLI; the extension uses SecretStorage. */
export class FileSecretStore implements SecretStore {
  private readonly file: JsonFileStore;

  constructor(path: string) {
    this.file = new JsonFileStore(path, 0o600);
  }

  async get(key: string): Promise<string | undefined> {
    return this.file.get<string>(key);
  }

  store(key: string, value: string): Promise<void> {
    return this.file.update(key, value);
  }

  delete(key: string): Promise<void> {
    return this.file.update(key, undefined);
  }
}
