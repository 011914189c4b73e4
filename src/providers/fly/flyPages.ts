import { FlyError } from './flyErrors';

export interface FlyPage<T> {
  items: T[];
  /** Absent when no more remain. */
  nextCursor?: string;
}

/** Items per page the client asks for (the spec's maxima: apps 5000, machines and volumes 1000). */
export interface FlyPageSizes {
  apps: number;
  machines: number;
  volumes: number;
  /** Apps per page of the GraphQL listing; each comes with its machines. */
  appsWithMachines: number;
  /** Machines per app in the GraphQL listing; an app with more is listed over REST. */
  machinesPerApp: number;
}

/** flyctl asks GraphQL for 400 apps a page; REST lists take whole apps' worth of machines and volumes in one page. */
export const DEFAULT_PAGE_SIZES: FlyPageSizes = { apps: 1000, machines: 1000, volumes: 1000, appsWithMachines: 400, machinesPerApp: 10 };

/**
 * Follows cursors until Fly names no next page. A page's limit is advisory: a page may be short, or even empty, while
 * more remain, so only the cursor says when the list ends.
 */
export async function collectPages<T>(fetchPage: (cursor: string | undefined) => Promise<FlyPage<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    if (page.nextCursor === undefined || page.nextCursor === '') return items;
    if (page.nextCursor === cursor) throw new FlyError({ category: 'unexpected', code: 'cursor_loop', message: `Fly answered the page after cursor ${cursor} with the same cursor` });
    cursor = page.nextCursor;
  }
}

/** `limit` and, after the first page, `cursor`, as the spec's paged lists take them. */
export function pageQuery(limit: number, cursor: string | undefined, other: Record<string, string> = {}): string {
  return new URLSearchParams({ ...other, limit: String(limit), ...(cursor === undefined ? {} : { cursor }) }).toString();
}
