/** A setting that templates may override (e.g. the idle timeout): the template's own value when it has one, else the general one. */
export function forTemplate<T>(byTemplate: Readonly<Record<string, T>>, template: string | undefined, general: T): T {
  return template !== undefined && Object.hasOwn(byTemplate, template) ? byTemplate[template]! : general;
}
