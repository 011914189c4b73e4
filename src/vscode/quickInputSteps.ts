import * as vscode from 'vscode';

/** The user pressed the Back button of a multi-step input. */
export const BACK = Symbol('back');

export interface StepPosition {
  title: string;
  step: number;
  totalSteps: number;
}

export interface PickStep<T extends vscode.QuickPickItem> extends StepPosition {
  placeholder: string;
  items: readonly T[];
  activeItem?: T;
}

export interface InputStep extends StepPosition {
  prompt: string;
  value: string;
  /** Runs as the user types; a problem is shown under the box and Enter does nothing until it is fixed. */
  validate: (value: string) => string | undefined;
}

/** One QuickPick step: the picked item, BACK, or undefined when dismissed. */
export function pickStep<T extends vscode.QuickPickItem>(step: PickStep<T>): Promise<T | typeof BACK | undefined> {
  const pick = vscode.window.createQuickPick<T>();
  pick.placeholder = step.placeholder;
  pick.items = step.items;
  if (step.activeItem) pick.activeItems = [step.activeItem];
  return runStep(pick, step, (finish) => [
    pick.onDidAccept(() => {
      const item = pick.selectedItems[0] ?? pick.activeItems[0];
      if (item) finish(item);
    }),
  ]);
}

/** One InputBox step validated as the user types: the accepted value, BACK, or undefined when dismissed. */
export function inputStep(step: InputStep): Promise<string | typeof BACK | undefined> {
  const input = vscode.window.createInputBox();
  input.prompt = step.prompt;
  input.value = step.value;
  input.valueSelection = [0, step.value.length];
  return runStep(input, step, (finish) => [
    input.onDidChangeValue((value) => (input.validationMessage = step.validate(value))),
    input.onDidAccept(() => {
      const problem = step.validate(input.value);
      input.validationMessage = problem;
      if (problem === undefined) finish(input.value);
    }),
  ]);
}

/** Shows a quick input with step number and Back button, resolving once with what `listen` finishes with. */
function runStep<R>(
  input: vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox,
  { title, step, totalSteps }: StepPosition,
  listen: (finish: (result: R | undefined) => void) => vscode.Disposable[],
): Promise<R | typeof BACK | undefined> {
  input.title = title;
  input.step = step;
  input.totalSteps = totalSteps;
  input.buttons = step > 1 ? [vscode.QuickInputButtons.Back] : [];
  return new Promise((resolve) => {
    const finish = (result: R | typeof BACK | undefined) => {
      for (const listener of listeners) listener.dispose();
      input.dispose();
      resolve(result);
    };
    const listeners = [
      ...listen(finish),
      input.onDidTriggerButton((button) => button === vscode.QuickInputButtons.Back && finish(BACK)),
      input.onDidHide(() => finish(undefined)),
    ];
    input.show();
  });
}
