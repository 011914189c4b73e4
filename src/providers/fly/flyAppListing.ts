import type { Logger } from '../../core/logger';
import type { FlyClient } from './flyClient';
import { emptyIfNotFound, FlyError } from './flyErrors';
import { flyFailureText } from './flySwarmErrors';
import type { FlyAppMachines, FlyMachine } from './flyTypes';

export interface AppMachines {
  app: string;
  machines: FlyMachine[];
}

/** GraphQL answers that say the query itself is not understood (a changed schema, a refused field), not that Fly is unreachable. */
function queryNotAnswerable(error: unknown): error is FlyError {
  return error instanceof FlyError && (error.category === 'unexpected' || error.category === 'validation');
}

/**
 * The machines of an organization's apps whose names pass `isOurs`. One paged GraphQL query answers for every app it
 * can: ceil(apps / page size) requests instead of one per app. An app it cannot answer for (more machines than a page
 * holds, a config it does not carry) is listed over the Machines API. When the query is not understood at all, this
 * listing says so once and lists over the Machines API from then on (1 + one request per app); a new provider, made
 * when settings change, tries the query again.
 */
export class FlyAppListing {
  private queryRefused?: string;

  constructor(
    private readonly client: FlyClient,
    private readonly org: string,
    private readonly logger: Logger,
  ) {}

  async list(isOurs: (app: string) => boolean): Promise<AppMachines[]> {
    const apps = (await this.appsWithMachines()).filter((app) => isOurs(app.name));
    return Promise.all(apps.map(async ({ name, machines }) => ({ app: name, machines: machines ?? (await this.machinesOverRest(name)) })));
  }

  private async appsWithMachines(): Promise<FlyAppMachines[]> {
    if (this.queryRefused === undefined) {
      try {
        return await this.client.listAppsWithMachines(this.org);
      } catch (error) {
        if (!queryNotAnswerable(error)) throw error;
        this.queryRefused = flyFailureText(error);
        this.logger.warn(`Fly.io: the GraphQL listing of apps with machines failed (${this.queryRefused}); listing each app over the Machines API instead.`);
      }
    }
    return (await this.client.listApps(this.org)).map(({ name }) => ({ name }));
  }

  /** None when the app is gone meanwhile. */
  private machinesOverRest(app: string): Promise<FlyMachine[]> {
    return this.client.listMachines(app).catch(emptyIfNotFound<FlyMachine>);
  }
}
