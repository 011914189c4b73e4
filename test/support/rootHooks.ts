import { dockerReachable, removeTestResources } from './dockerTestEnv';

/** After the whole run, sweep whatever the Docker tests left; a machine without Docker has nothing to sweep. */
export const mochaHooks = {
  async afterAll(): Promise<void> {
    if (await dockerReachable()) await removeTestResources();
  },
};
