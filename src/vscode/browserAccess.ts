import * as vscode from 'vscode';
import type { SwarmController } from '../core/controller';
import { SwarmError } from '../core/errors';
import type { Instance } from '../core/models';

/** The IDE URL as reachable from the user's machine: a forwarded port when VS Code itself runs remotely. */
export function externalIdeUri(instance: Instance): Thenable<vscode.Uri> {
  return vscode.env.asExternalUri(vscode.Uri.parse(ideUrl(instance)));
}

/** Copies the IDE URL as reachable from the user's machine. */
export async function copyUrl(instance: Instance): Promise<void> {
  const external = await externalIdeUri(instance);
  await vscode.env.clipboard.writeText(external.toString(true));
  vscode.window.setStatusBarMessage(`$(check) Copied the URL of "${instance.name}"`, 4000);
}

/** Copies the code-server password (kept in SecretStorage) for the browser's login page. */
export async function copyPassword(controller: SwarmController, instance: Instance): Promise<void> {
  const password = await controller.getPassword(instance.id);
  if (password === undefined) {
    throw new SwarmError('OPERATION_FAILED', `No password is stored for "${instance.name}"; its code-server may not ask for one, or it was created elsewhere.`);
  }
  await vscode.env.clipboard.writeText(password);
  vscode.window.setStatusBarMessage(`$(check) Copied the password of "${instance.name}"`, 4000);
}

function ideUrl(instance: Instance): string {
  if (!instance.urls.ide) {
    throw new SwarmError('OPERATION_FAILED', `"${instance.name}" has no URL (it is ${instance.status}); start it first.`);
  }
  return instance.urls.ide;
}
