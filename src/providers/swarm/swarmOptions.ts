import * as z from 'zod';
import type { InstanceOptionsDeclaration } from '../../core/provider';

/** A placement constraint as `docker service create --constraint` writes it: node.labels.zone==eu, node.role!=manager. */
const CONSTRAINT = /^(node\.(id|hostname|role|platform\.os|platform\.arch)|node\.labels\.[\w.-]+|engine\.labels\.[\w.-]+)\s*(==|!=)\s*\S+$/;

const constraintSchema = z.string().trim().regex(CONSTRAINT, {
  error: 'must be a placement constraint such as "node.labels.zone==eu", "node.role!=manager" or "node.hostname==box-2"',
});

/** A node label to spread instances over evenly (`--placement-pref spread=node.labels.zone`): the label's name, e.g. "zone". */
const spreadSchema = z.string().trim().regex(/^[\w.-]+$/, { error: 'must be a node label name such as "zone"' });

const positive = z.number({ error: 'must be a number' }).positive({ error: 'must be more than 0' });

/** The options of a Swarm instance (config.options). */
export const swarmInstanceOptionsSchema = z
  .object({
    constraints: z.array(constraintSchema).default([]),
    spreadOver: z.array(spreadSchema).default([]),
    /** What the scheduler keeps free for the instance on its node; the limits are the configuration's resources. */
    reserveCpuCores: positive.optional(),
    reserveMemoryMB: positive.optional(),
    restartPolicy: z.enum(['any', 'on-failure', 'none'], { error: 'must be "any", "on-failure" or "none"' }).default('any'),
    /**
     * Pin the service to the node its first task ran on, so a workspace on a node-local volume stays with it. Default:
     * pinned when the volume driver is "local"; false lets it move (drain), starting on an empty workspace there.
     */
    pinToNode: z.boolean({ error: 'must be true or false' }).optional(),
    /** Who owns the code-server password file (the Docker secret) in the container: the user code-server runs as. */
    passwordFileOwner: z
      .string()
      .regex(/^\d+:\d+$/, { error: 'must be "uid:gid" in numbers, e.g. "1000:1000" (the coder user of codercom/code-server)' })
      .default('1000:1000'),
  })
  .strict();

export type SwarmInstanceOptions = z.infer<typeof swarmInstanceOptionsSchema>;

export const swarmInstanceOptions: InstanceOptionsDeclaration = {
  schema: swarmInstanceOptionsSchema,
  fields: [
    { name: 'constraints', description: 'Placement constraints, e.g. node.labels.zone==eu or node.labels.gpu==true', required: false },
    { name: 'spreadOver', description: 'Node labels to spread instances over, e.g. zone', required: false },
    { name: 'reserveCpuCores', description: 'CPU cores the node keeps free for the instance', required: false },
    { name: 'reserveMemoryMB', description: 'Memory (MB) the node keeps free for the instance', required: false },
    { name: 'restartPolicy', description: 'When Swarm restarts its task: any (default), on-failure, none', required: false },
    { name: 'pinToNode', description: 'Keep the instance on the node its workspace volume is on (default with the local volume driver)', required: false },
    { name: 'passwordFileOwner', description: 'uid:gid owning the password file in the container (default 1000:1000)', required: false },
  ],
};

/** The options recorded in a configuration; a configuration made elsewhere that no longer parses gets the defaults. */
export function swarmOptionsOf(options: Record<string, unknown>): SwarmInstanceOptions {
  const parsed = swarmInstanceOptionsSchema.safeParse(options);
  return parsed.success ? parsed.data : swarmInstanceOptionsSchema.parse({});
}
