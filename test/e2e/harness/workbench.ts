import type { FrameLocator, Locator, Page } from 'playwright-core';
import { pollUntil } from './poll';

const REMOTE_SWARM_CONTAINER = 'workbench.view.extension.remoteSwarm';
const EXPLORER_CONTAINER = 'workbench.view.explorer';
/** The create wizard's provider step (src/vscode/createInstanceWizard.ts). */
const PROVIDER_QUESTION = 'Where should the instance run?';
/** More than any context menu of the view has entries. */
const MAX_MENU_STEPS = 30;
/** How long one try of the command palette waits for it to open and to offer the command. */
const PALETTE_STEP_TIMEOUT_MS = 5_000;
/** An instance's code-server loads its workbench in the browser within this, on 2 busy cores. */
const REMOTE_WORKBENCH_TIMEOUT_MS = 120_000;

/** What the clipboard helpers use of the page's globals (this project compiles without the DOM library). */
interface BrowserGlobals {
  navigator: { clipboard: { readText(): Promise<string>; writeText(text: string): Promise<void> } };
}

export type StatusIcon = 'vm-running' | 'vm-outline';

/** The VS Code workbench in a browser page, in the words a user would use: views, commands, menus, dialogs. */
export class Workbench {
  readonly remoteSwarmView: Locator;
  readonly quickInput: Locator;
  readonly dialog: Locator;

  constructor(readonly page: Page) {
    this.remoteSwarmView = page.locator(`[id="${REMOTE_SWARM_CONTAINER}"]`);
    this.quickInput = page.locator('.quick-input-widget');
    this.dialog = page.locator('.monaco-dialog-box');
  }

  /**
   * Loads the workbench and waits until it has restored its layout: with fresh user data and a folder that ends with
   * the Explorer shown. (A view opened before that would be replaced by the Explorer.)
   */
  async load(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.locator(`[id="${EXPLORER_CONTAINER}"]`).waitFor();
    await this.activityBarEntry().waitFor();
  }

  /** Shows the Remote Swarm view container (clicking an already active entry would hide it). */
  async openRemoteSwarmView(): Promise<void> {
    if (!(await this.remoteSwarmView.isVisible())) await this.activityBarEntry().click();
    await this.remoteSwarmView.waitFor();
  }

  /**
   * Runs a command from the command palette by its full title, e.g. "Remote Swarm: Create Instance". A palette that
   * closes before it offers the command is opened again: a window that has just come to the front among several can
   * lose the key press, or lose the palette when the focus settles.
   */
  async runCommand(title: string): Promise<void> {
    const box = this.quickInputBox();
    const offered = this.quickInput.locator('.monaco-list-row.focused', { hasText: title });
    await pollUntil(
      async () => {
        if (!(await box.isVisible())) await this.page.keyboard.press('F1');
        const typed = await box.fill(`>${title}`, { timeout: PALETTE_STEP_TIMEOUT_MS }).then(() => true, () => false);
        return (typed && (await offered.waitFor({ timeout: PALETTE_STEP_TIMEOUT_MS }).then(() => true, () => false))) || undefined;
      },
      { what: `the command palette to offer "${title}"`, timeoutMs: 45_000, intervalMs: 100 },
    );
    await this.page.keyboard.press('Enter');
  }

  /**
   * Runs Create Instance from the command palette, picks the provider (the wizard asks only when more than one is
   * registered) and the template; the wizard then asks for the name.
   */
  async startCreateWizard(template: string, provider = 'Docker'): Promise<void> {
    await this.runCommand('Remote Swarm: Create Instance');
    await this.answerCreateWizard(template, provider);
  }

  /** Answers the open create wizard up to its name question: the provider (where it asks) and the template. */
  async answerCreateWizard(template: string, provider = 'Docker'): Promise<void> {
    await this.quickInput.locator('.quick-input-title', { hasText: 'Create Instance' }).waitFor();
    if ((await this.quickInputBox().getAttribute('placeholder')) === PROVIDER_QUESTION) await this.pick(provider);
    await this.pick(template);
    await this.quickInputMessage().getByText('Instance name:').waitFor();
  }

  /** Create Instance from the command palette: the template, then the name, confirmed with Enter. */
  async createInstance(template: string, name: string): Promise<void> {
    await this.startCreateWizard(template);
    await this.typeInQuickInput(name);
    await this.page.keyboard.press('Enter');
  }

  /** Picks an item of the open quick pick by its label. */
  async pick(label: string): Promise<void> {
    await this.quickInput.locator('.monaco-list-row').filter({ has: this.page.locator('.label-name', { hasText: exactly(label) }) }).click();
  }

  /** Replaces the text of the open input box (validation runs as if typed). */
  async typeInQuickInput(text: string): Promise<void> {
    await this.quickInputBox().fill(text);
  }

  /** The open quick pick or input box while it asks this question (its placeholder). */
  quickInputAsking(placeholder: string): Locator {
    return this.quickInput.locator(`.quick-input-box input[placeholder="${placeholder}"]`);
  }

  /** The validation message or prompt under the open quick input. */
  quickInputMessage(): Locator {
    return this.quickInput.locator('.quick-input-message');
  }

  instanceRow(name: string): Locator {
    return this.remoteSwarmView.locator('.monaco-list-row').filter({ has: this.page.locator(`.custom-view-tree-node-item-resourceLabel[aria-label="${name}"]`) });
  }

  async waitForStatusIcon(name: string, icon: StatusIcon): Promise<void> {
    await this.instanceRow(name).locator(`.custom-view-tree-node-item-icon.codicon-${icon}`).waitFor();
  }

  /** Clicks one of the buttons a tree row shows on hover, e.g. "Stop Instance". */
  async clickInlineAction(name: string, action: string): Promise<void> {
    const row = this.instanceRow(name);
    await row.hover();
    await row.getByRole('button', { name: action, exact: true }).click();
  }

  /**
   * Runs an entry of the row's context menu. Menu entries ignore mouse clicks for their first 100 ms (VS Code's guard
   * against accidental clicks), so the entry is reached with the keyboard, which has no such guard.
   */
  async runContextMenuAction(name: string, action: string): Promise<void> {
    await this.instanceRow(name).click({ button: 'right' });
    const menu = this.page.locator('.context-view .monaco-menu');
    await menu.getByRole('menuitem', { name: action, exact: true }).waitFor();
    const focusedIsAction = menu.locator('.action-item.focused').getByRole('menuitem', { name: action, exact: true });
    for (let step = 0; step < MAX_MENU_STEPS; step++) {
      if ((await focusedIsAction.count()) > 0) {
        await this.page.keyboard.press('Enter');
        return;
      }
      await this.page.keyboard.press('ArrowDown');
    }
    throw new Error(`The context menu of "${name}" never focused "${action}"`);
  }

  /** Runs a Copy … entry of the instance's context menu (e.g. "Copy Password") and returns what it put on the clipboard. */
  async copyFromContextMenu(name: string, action: string): Promise<string> {
    await this.writeClipboard('');
    await this.runContextMenuAction(name, action);
    return pollUntil(async () => (await this.readClipboard()) || undefined, { what: `${action} to fill the clipboard`, timeoutMs: 10_000 });
  }

  /**
   * Open in Browser, which signs in by itself (a one-time page posts the stored password to code-server's login form).
   * Returns the new page once it shows the instance's workbench with its workspace folder ("project") open.
   */
  async openInstanceSignedIn(name: string): Promise<Page> {
    const [remote] = await Promise.all([this.page.context().waitForEvent('page'), this.clickInlineAction(name, 'Open in Browser')]);
    await remote.locator('.monaco-workbench .pane-header', { hasText: 'project' }).waitFor({ timeout: REMOTE_WORKBENCH_TIMEOUT_MS });
    return remote;
  }

  /** The remote workbench in the Simple Browser tab (Open in VS Code Tab): its page is an iframe in the webview. */
  simpleBrowserWorkbench(): Locator {
    return this.activeWebview().locator('iframe').contentFrame().locator('.monaco-workbench .pane-header', { hasText: 'project' });
  }

  /** The content of the visible webview panel, e.g. Health (VS Code nests it in two frames). */
  activeWebview(): FrameLocator {
    return this.page.locator('iframe.webview.ready').filter({ visible: true }).contentFrame().locator('#active-frame').contentFrame();
  }

  async answerDialog(button: string): Promise<void> {
    await this.dialog.getByRole('button', { name: button, exact: true }).click();
  }

  /** The Output view while it shows the channel with this name. */
  outputView(channel: string): Locator {
    return this.page.locator(`.output-view[aria-label="${channel} - Output"]`);
  }

  /**
   * Filters the Output view (showing `channel`) to lines with `text` and waits for one. The filter is typed again
   * whenever the view has rendered its filter box anew, as it does when it switches channel or restarts.
   */
  async waitForOutputLine(channel: string, text: string, timeoutMs = REMOTE_WORKBENCH_TIMEOUT_MS): Promise<void> {
    const filter = this.outputFilter();
    const line = this.outputView(channel).getByText(text).first();
    await pollUntil(
      async () => {
        if ((await filter.inputValue()) !== text) await filter.fill(text);
        return (await line.isVisible()) || undefined;
      },
      { what: `a line with "${text}" in the ${channel} Output`, timeoutMs, intervalMs: 500 },
    );
  }

  /** The Output view's filter box. */
  outputFilter(): Locator {
    return this.page.locator('.part.panel').getByPlaceholder('Filter');
  }

  async writeClipboard(text: string): Promise<void> {
    await this.page.evaluate((value) => (globalThis as unknown as BrowserGlobals).navigator.clipboard.writeText(value), text);
  }

  async readClipboard(): Promise<string> {
    return this.page.evaluate(() => (globalThis as unknown as BrowserGlobals).navigator.clipboard.readText());
  }

  private activityBarEntry(): Locator {
    return this.page.locator('.activitybar a.action-label[aria-label="Remote Swarm"]');
  }

  private quickInputBox(): Locator {
    return this.quickInput.locator('.quick-input-box input');
  }
}

function exactly(text: string): RegExp {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}
