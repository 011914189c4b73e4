import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { useRemoteSwarm } from './remoteSwarm';

/** The agent tools as VS Code language-model tools, run as a chat participant would run them. */
describe('Remote Swarm language-model tools', () => {
  const suite = useRemoteSwarm();

  async function invoke(name: string, input: object): Promise<string> {
    const result = await vscode.lm.invokeTool(`remoteSwarm_${name}`, { input, toolInvocationToken: undefined });
    return result.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
  }

  it('are registered: vscode.lm.tools lists every one package.json declares', () => {
    const declared = (vscode.extensions.getExtension('remote-swarm.remote-swarm')!.packageJSON.contributes.languageModelTools as { name: string }[]).map(({ name }) => name);
    const registered = new Set(vscode.lm.tools.map((tool) => tool.name));
    assert.ok(declared.includes('remoteSwarm_exec_command'));
    assert.deepEqual(declared.filter((name) => !registered.has(name)), []);
  });

  it('run: a command inside an instance, and a refusal the model can read', async () => {
    const instance = await suite.instances.create('lm-tool');
    const output = JSON.parse(await invoke('exec_command', { name: instance.name, argv: ['sh', '-c', 'echo from-the-tool'] })) as { exitCode: number; stdout: string };
    assert.deepEqual(output, { exitCode: 0, stdout: 'from-the-tool\n', stderr: '' });
    assert.match(await invoke('exec_command', { name: instance.name, argv: [] }), /^Error: argv/);
  });
});
