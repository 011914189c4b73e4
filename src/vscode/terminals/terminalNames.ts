/** A terminal's name: the instance's name, then "<name> (2)", "<name> (3)", … for more terminals open on it. */
export function terminalName(instanceName: string, namesInUse: ReadonlySet<string>): string {
  if (!namesInUse.has(instanceName)) return instanceName;
  let number = 2;
  while (namesInUse.has(`${instanceName} (${number})`)) number++;
  return `${instanceName} (${number})`;
}
