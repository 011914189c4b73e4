import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { instanceNameSchema } from '../../core/models';
import type { SshAddress } from '../../ssh/sshAddress';
import { firstProblem } from '../../core/validation';
import { BACK, inputStep, pickStep, type StepPosition } from '../quickInputSteps';
import { parseSshDestination, suggestedName } from './sshDestination';

const TITLE = 'Add SSH Host';

export interface SshHostAnswers {
  name: string;
  sshHost: SshAddress;
  /** The folder Remote-SSH and code-server open. */
  workspacePath: string;
}

export interface SshHostWizardChoices {
  /** The user name when the destination names none. */
  defaultUser: string;
  /** ~/.ssh, searched for private keys to offer. */
  userSshDir: string;
  nameTaken: (name: string) => boolean;
}

type Answers = Partial<SshHostAnswers> & { destination?: string };
type Step = (answers: Answers, position: StepPosition) => Promise<'next' | typeof BACK | undefined>;

interface KeyItem extends vscode.QuickPickItem {
  /** undefined: the ssh-agent; 'browse': pick a file. */
  keyFile?: string | 'browse';
}

/** Asks where the host is, its name in Remote Swarm, how to log in (key file or agent) and which folder to open; Back between steps. */
export async function askSshHostAnswers(choices: SshHostWizardChoices): Promise<SshHostAnswers | undefined> {
  const steps: Step[] = [destinationStep(choices), nameStep(choices), keyStep(choices), folderStep()];
  const answers: Answers = {};
  for (let index = 0; index < steps.length; ) {
    const outcome = await steps[index]!(answers, { title: TITLE, step: index + 1, totalSteps: steps.length });
    if (outcome === undefined) return undefined;
    index += outcome === BACK ? -1 : 1;
  }
  const { name, sshHost, workspacePath } = answers;
  return name && sshHost && workspacePath ? { name, sshHost, workspacePath } : undefined;
}

function destinationStep({ defaultUser }: SshHostWizardChoices): Step {
  return async (answers, position) => {
    const value = await inputStep({
      ...position,
      prompt: 'SSH destination: user@host or user@host:port',
      value: answers.destination ?? '',
      validate: (text) => {
        const parsed = parseSshDestination(text, defaultUser);
        return typeof parsed === 'string' ? parsed : undefined;
      },
    });
    if (value === BACK || value === undefined) return value;
    const parsed = parseSshDestination(value, defaultUser);
    if (typeof parsed === 'string') return undefined;
    if (answers.sshHost?.host !== parsed.host) answers.name = undefined;
    answers.destination = value;
    answers.sshHost = { ...answers.sshHost, ...parsed };
    return 'next';
  };
}

function nameStep({ nameTaken }: SshHostWizardChoices): Step {
  return async (answers, position) => {
    const name = await inputStep({
      ...position,
      prompt: 'Name in Remote Swarm: lower-case letters, digits and hyphens',
      value: answers.name ?? suggestedName(answers.sshHost?.host ?? 'host'),
      validate: (text) => firstProblem(instanceNameSchema, text, 'Name') ?? (nameTaken(text) ? `Name "${text}" is already taken by another instance` : undefined),
    });
    if (name === BACK || name === undefined) return name;
    answers.name = name;
    return 'next';
  };
}

function keyStep({ userSshDir }: SshHostWizardChoices): Step {
  return async (answers, position) => {
    const agentRunning = process.env.SSH_AUTH_SOCK !== undefined;
    const items: KeyItem[] = [
      { label: '$(key) ssh-agent', description: agentRunning ? 'the keys of your running agent' : 'no agent is running (SSH_AUTH_SOCK is not set)' },
      ...privateKeys(userSshDir).map((keyFile): KeyItem => ({ label: `$(file) ${keyFile}`, keyFile })),
      { label: '$(folder-opened) Choose a key file…', keyFile: 'browse' },
    ];
    const current = answers.sshHost?.identityFile;
    const picked = await pickStep({ ...position, placeholder: 'How to log in', items, activeItem: items.find((item) => item.keyFile === current) });
    if (picked === BACK || picked === undefined) return picked;
    let identityFile = picked.keyFile;
    if (identityFile === 'browse') {
      const [file] = (await vscode.window.showOpenDialog({ title: 'Private key file', defaultUri: vscode.Uri.file(userSshDir), canSelectMany: false })) ?? [];
      if (!file) return undefined;
      identityFile = file.fsPath;
    }
    const { host = '', port = 22, user = '' } = answers.sshHost ?? {};
    answers.sshHost = { host, port, user, ...(identityFile === undefined ? {} : { identityFile }) };
    return 'next';
  };
}

function folderStep(): Step {
  return async (answers, position) => {
    const user = answers.sshHost?.user ?? '';
    const folder = await inputStep({
      ...position,
      prompt: 'The folder on the host to open (absolute path)',
      value: answers.workspacePath ?? (user === 'root' ? '/root' : `/home/${user}`),
      validate: (text) => (text.startsWith('/') ? undefined : 'Give an absolute path, such as /home/dev/project'),
    });
    if (folder === BACK || folder === undefined) return folder;
    answers.workspacePath = folder;
    return 'next';
  };
}

/** Private keys in ~/.ssh: files with a matching .pub beside them. */
function privateKeys(userSshDir: string): string[] {
  try {
    return readdirSync(userSshDir)
      .filter((name) => name.endsWith('.pub') && existsSync(join(userSshDir, name.slice(0, -'.pub'.length))))
      .map((name) => join(userSshDir, name.slice(0, -'.pub'.length)))
      .sort();
  } catch {
    return []; // no ~/.ssh yet
  }
}
