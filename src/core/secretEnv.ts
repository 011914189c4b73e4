import { invalidConfig } from './errors';
import { instanceEnvSecretKey, type SecretStore } from './stores';

/**
 * The values given for a configuration's secretEnv names: one for each name (except those whose value is kept
 * already, on an update), none for a name it does not declare. Throws INVALID_CONFIG naming `secretEnv.<NAME>`.
 */
export function checkSecretEnvValues(names: readonly string[], values: Readonly<Record<string, string>>, kept: readonly string[] = []): void {
  for (const name of Object.keys(values)) {
    if (!names.includes(name)) {
      const declared = names.length === 0 ? 'it declares none' : `those are: ${names.join(', ')}`;
      throw invalidConfig(`secretEnv.${name}`, `is not a secretEnv name of this configuration (${declared})`);
    }
  }
  for (const name of names) {
    if (!Object.hasOwn(values, name) && !kept.includes(name)) {
      throw invalidConfig(`secretEnv.${name}`, 'needs a value: give it with the request; it is kept in the secret store, never in the configuration');
    }
  }
}

export async function storeSecretEnv(secrets: SecretStore, instanceId: string, values: Readonly<Record<string, string>>): Promise<void> {
  for (const [name, value] of Object.entries(values)) await secrets.store(instanceEnvSecretKey(instanceId, name), value);
}

/** The values the store holds for these names; a name without one is left out. */
export async function readSecretEnv(secrets: SecretStore, instanceId: string, names: readonly string[]): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const name of names) {
    const value = await secrets.get(instanceEnvSecretKey(instanceId, name));
    if (value !== undefined) values[name] = value;
  }
  return values;
}

export async function forgetSecretEnv(secrets: SecretStore, instanceId: string, names: readonly string[]): Promise<void> {
  for (const name of names) await secrets.delete(instanceEnvSecretKey(instanceId, name));
}
