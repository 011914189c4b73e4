import type { CreateInstanceInput } from '../core/controller';
import { instanceNameSchema } from '../core/models';
import type { CatalogTemplate } from '../core/templates';
import { firstProblem } from '../core/validation';
import { BACK, inputStep, pickStep, type StepPosition } from './quickInputSteps';
import { templateSummary } from './templateSummary';

const TITLE = 'Create Instance';

export type CreateAnswers = Required<Pick<CreateInstanceInput, 'provider' | 'template' | 'name'>>;

export interface WizardChoices {
  providers: readonly { type: string; displayName: string }[];
  defaultProvider: string;
  templates: readonly CatalogTemplate[];
  nameTaken: (name: string) => boolean;
}

type Step = (answers: Partial<CreateAnswers>, position: StepPosition) => Promise<'next' | typeof BACK | undefined>;

/** Asks provider (when there is a choice), template and name, with Back between steps; undefined when dismissed. */
export async function askCreateAnswers(choices: WizardChoices): Promise<CreateAnswers | undefined> {
  const onlyProvider = choices.providers.length === 1 ? choices.providers[0]?.type : undefined;
  const steps: Step[] = [...(onlyProvider ? [] : [providerStep(choices)]), templateStep(choices), nameStep(choices)];
  const answers: Partial<CreateAnswers> = { provider: onlyProvider };
  for (let index = 0; index < steps.length; ) {
    const outcome = await steps[index]!(answers, { title: TITLE, step: index + 1, totalSteps: steps.length });
    if (outcome === undefined) return undefined;
    index += outcome === BACK ? -1 : 1;
  }
  const { provider, template, name } = answers;
  return provider && template && name ? { provider, template, name } : undefined;
}

function providerStep({ providers, defaultProvider }: WizardChoices): Step {
  return async (answers, position) => {
    const items = providers.map(({ type, displayName }) => ({ label: displayName, description: type === defaultProvider ? 'default' : undefined, type }));
    const selected = answers.provider ?? defaultProvider;
    const picked = await pickStep({ ...position, placeholder: 'Where should the instance run?', items, activeItem: items.find((item) => item.type === selected) });
    if (picked === BACK || picked === undefined) return picked;
    answers.provider = picked.type;
    return 'next';
  };
}

function templateStep({ templates }: WizardChoices): Step {
  return async (answers, position) => {
    const items = templates.map((template) => ({ label: template.name, description: templateSummary(template), detail: template.description }));
    const picked = await pickStep({ ...position, placeholder: 'Template', items, activeItem: items.find((item) => item.label === answers.template) });
    if (picked === BACK || picked === undefined) return picked;
    if (picked.label !== answers.template) answers.name = undefined;
    answers.template = picked.label;
    return 'next';
  };
}

function nameStep({ nameTaken }: WizardChoices): Step {
  return async (answers, position) => {
    const name = await inputStep({
      ...position,
      prompt: 'Instance name: lower-case letters, digits and hyphens, e.g. "dev-1"',
      value: answers.name ?? suggestName(answers.template ?? 'dev', nameTaken),
      validate: (value) => firstProblem(instanceNameSchema, value, 'Name') ?? (nameTaken(value) ? `Name "${value}" is already taken by another instance` : undefined),
    });
    if (name === BACK || name === undefined) return name;
    answers.name = name;
    return 'next';
  };
}

/** The first free "<template>-<n>". */
function suggestName(prefix: string, nameTaken: (name: string) => boolean): string {
  let counter = 1;
  while (nameTaken(`${prefix}-${counter}`)) counter++;
  return `${prefix}-${counter}`;
}
