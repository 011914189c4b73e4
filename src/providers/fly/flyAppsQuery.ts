import { FlyError } from './flyErrors';
import type { FlyPage } from './flyPages';
import type { FlyAppMachines, FlyAppNetwork, FlyMachine, FlyMachineState } from './flyTypes';

/**
 * An organization's apps with their machines, a page of apps at a time (fly-graphql-schema.graphql: Organization.apps,
 * App.machines). A machine's `config` is the Machines API's machine config, metadata included.
 */
export const APPS_WITH_MACHINES_QUERY = `query AppsWithMachines($slug: String!, $first: Int!, $after: String, $machinesPerApp: Int!) {
  organization(slug: $slug) {
    apps(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        name
        machines(first: $machinesPerApp) {
          pageInfo { hasNextPage }
          nodes { id name state region instanceId config createdAt updatedAt }
        }
      }
    }
  }
}`;

interface GraphqlMachine {
  id: string;
  name: string;
  state: string;
  region: string;
  instanceId: string;
  config: unknown;
  createdAt: string;
  updatedAt: string;
}

interface GraphqlApp {
  name: string;
  machines: { pageInfo: { hasNextPage: boolean }; nodes: (GraphqlMachine | null)[] | null };
}

export interface AppsWithMachinesAnswer {
  organization: { apps: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: (GraphqlApp | null)[] | null } } | null;
}

/** One page of the answer; an app whose machines do not all fit, or whose config lacks what a listing reads, comes without machines. */
export function appsPage(answer: AppsWithMachinesAnswer, org: string): FlyPage<FlyAppMachines> {
  if (!answer.organization) throw organizationNotFound(org);
  const { pageInfo, nodes } = answer.organization.apps;
  const items = (nodes ?? []).filter((app): app is GraphqlApp => app !== null).map(appMachines);
  return { items, ...(pageInfo.hasNextPage && pageInfo.endCursor ? { nextCursor: pageInfo.endCursor } : {}) };
}

function appMachines(app: GraphqlApp): FlyAppMachines {
  const nodes = (app.machines.nodes ?? []).filter((machine): machine is GraphqlMachine => machine !== null);
  if (app.machines.pageInfo.hasNextPage || !nodes.every(hasListableConfig)) return { name: app.name };
  return { name: app.name, machines: nodes.map(restShape) };
}

/** A listing reads the guest (size, price) and the metadata (instance, owner); without a guest it cannot describe the machine. */
function hasListableConfig(machine: GraphqlMachine): boolean {
  const config = machine.config as { guest?: unknown } | null;
  return typeof config === 'object' && config !== null && typeof config.guest === 'object' && config.guest !== null;
}

function restShape(machine: GraphqlMachine): FlyMachine {
  return {
    id: machine.id,
    name: machine.name,
    state: machine.state as FlyMachineState,
    region: machine.region,
    instance_id: machine.instanceId,
    config: machine.config as FlyMachine['config'],
    created_at: machine.createdAt,
    updated_at: machine.updatedAt,
  };
}

/** An organization's apps with the private network each is on (App.network: the Machines API `network` it was created with). */
export const APP_NETWORKS_QUERY = `query AppNetworks($slug: String!, $first: Int!, $after: String) {
  organization(slug: $slug) {
    apps(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { name network }
    }
  }
}`;

export interface AppNetworksAnswer {
  organization: { apps: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: ({ name: string; network: string | null } | null)[] | null } } | null;
}

export function appNetworksPage(answer: AppNetworksAnswer, org: string): FlyPage<FlyAppNetwork> {
  if (!answer.organization) throw organizationNotFound(org);
  const { pageInfo, nodes } = answer.organization.apps;
  const items = (nodes ?? []).filter((app) => app !== null).map(({ name, network }) => ({ name, ...(network ? { network } : {}) }));
  return { items, ...(pageInfo.hasNextPage && pageInfo.endCursor ? { nextCursor: pageInfo.endCursor } : {}) };
}

function organizationNotFound(org: string): FlyError {
  return new FlyError({ category: 'not_found', code: 'organization_not_found', message: `the API token sees no organization "${org}"` });
}
