import type { CreateGroupInput } from '../core/groups/groupService';
import { groupNameSchema } from '../core/groups/groupMembers';
import type { GroupTemplate } from '../core/groups/groupTemplates';
import type { CatalogTemplate } from '../core/templates';
import { firstProblem } from '../core/validation';
import { parseWorkerCount } from './groupInput';
import { BACK, inputStep, pickStep, type StepPosition } from './quickInputSteps';
import { templateSummary } from './templateSummary';

const TITLE = 'Create Group';
const DEFAULT_WORKERS = 4;

export type CreateGroupAnswers = Required<Pick<CreateGroupInput, 'provider' | 'name' | 'coordinatorTemplate' | 'workerTemplate' | 'workers'>> & { template?: string };

export interface GroupWizardChoices {
  providers: readonly { type: string; displayName: string; privateNetworks: boolean }[];
  defaultProvider: string;
  groupTemplates: readonly GroupTemplate[];
  templates: readonly CatalogTemplate[];
  /** Why the name cannot be used (a group or a member's instance name taken), or undefined. */
  nameTaken: (name: string) => string | undefined;
}

type Answers = Partial<CreateGroupAnswers> & { chooseTemplates?: boolean };
type Step = (answers: Answers, position: StepPosition) => Promise<'next' | typeof BACK | undefined>;

/**
 * Asks a group template (or a coordinator and a worker template), the provider (when there is a choice), the name and
 * the number of workers, with Back between steps; undefined when dismissed.
 */
export async function askCreateGroupAnswers(choices: GroupWizardChoices): Promise<CreateGroupAnswers | undefined> {
  const onlyProvider = choices.providers.length === 1 ? choices.providers[0]?.type : undefined;
  const answers: Answers = { provider: onlyProvider };
  const steps = (): Step[] => [
    groupTemplateStep(choices),
    ...(answers.chooseTemplates ? [templateStep(choices, 'coordinatorTemplate', 'Template of the coordinator'), templateStep(choices, 'workerTemplate', 'Template of every worker')] : []),
    ...(onlyProvider ? [] : [providerStep(choices)]),
    nameStep(choices),
    workersStep(),
  ];
  for (let index = 0; index < steps().length; ) {
    const current = steps();
    const outcome = await current[index]!(answers, { title: TITLE, step: index + 1, totalSteps: current.length });
    if (outcome === undefined) return undefined;
    index += outcome === BACK ? -1 : 1;
  }
  const { provider, name, coordinatorTemplate, workerTemplate, workers, template } = answers;
  if (!provider || !name || !coordinatorTemplate || !workerTemplate || workers === undefined) return undefined;
  return { provider, name, coordinatorTemplate, workerTemplate, workers, ...(template === undefined ? {} : { template }) };
}

function groupTemplateStep({ groupTemplates }: GroupWizardChoices): Step {
  return async (answers, position) => {
    const items = [
      ...groupTemplates.map((template) => ({
        label: template.name,
        description: `${template.coordinator} coordinator + ${template.workers} × ${template.worker}`,
        detail: template.description || undefined,
        template,
      })),
      { label: 'Choose the templates', description: 'an instance template for the coordinator and one for the workers', template: undefined },
    ];
    const active = answers.chooseTemplates ? items[items.length - 1] : items.find((item) => item.template?.name === answers.template);
    const picked = await pickStep({ ...position, placeholder: 'Group template', items, activeItem: active });
    if (picked === BACK || picked === undefined) return picked;
    answers.chooseTemplates = picked.template === undefined;
    answers.template = picked.template?.name;
    if (picked.template) {
      answers.coordinatorTemplate = picked.template.coordinator;
      answers.workerTemplate = picked.template.worker;
      answers.workers = picked.template.workers;
    }
    return 'next';
  };
}

function templateStep({ templates }: GroupWizardChoices, field: 'coordinatorTemplate' | 'workerTemplate', placeholder: string): Step {
  return async (answers, position) => {
    const items = templates.map((template) => ({ label: template.name, description: templateSummary(template), detail: template.description }));
    const picked = await pickStep({ ...position, placeholder, items, activeItem: items.find((item) => item.label === answers[field]) });
    if (picked === BACK || picked === undefined) return picked;
    answers[field] = picked.label;
    return 'next';
  };
}

function providerStep({ providers, defaultProvider }: GroupWizardChoices): Step {
  return async (answers, position) => {
    const items = providers.map(({ type, displayName, privateNetworks }) => ({
      label: displayName,
      description: [type === defaultProvider ? 'default' : undefined, privateNetworks ? 'private network per group' : undefined].filter(Boolean).join(' · ') || undefined,
      type,
    }));
    const selected = answers.provider ?? defaultProvider;
    const picked = await pickStep({ ...position, placeholder: 'Where should the group run?', items, activeItem: items.find((item) => item.type === selected) });
    if (picked === BACK || picked === undefined) return picked;
    answers.provider = picked.type;
    return 'next';
  };
}

function nameStep({ nameTaken }: GroupWizardChoices): Step {
  return async (answers, position) => {
    const name = await inputStep({
      ...position,
      prompt: 'Group name: lower-case letters, digits and hyphens, e.g. "swarm-1"; members are named <group>-coordinator, <group>-worker-1, …',
      value: answers.name ?? suggestName(nameTaken),
      validate: (value) => firstProblem(groupNameSchema, value, 'Name') ?? nameTaken(value),
    });
    if (name === BACK || name === undefined) return name;
    answers.name = name;
    return 'next';
  };
}

function workersStep(): Step {
  return async (answers, position) => {
    const text = await inputStep({
      ...position,
      prompt: 'Number of workers (the coordinator comes on top)',
      value: String(answers.workers ?? DEFAULT_WORKERS),
      validate: (value) => parseWorkerCount(value).problem,
    });
    if (text === BACK || text === undefined) return text;
    answers.workers = parseWorkerCount(text).workers;
    return 'next';
  };
}

/** The first free "swarm-<n>". */
function suggestName(nameTaken: (name: string) => string | undefined): string {
  let counter = 1;
  while (nameTaken(`swarm-${counter}`) !== undefined) counter++;
  return `swarm-${counter}`;
}
