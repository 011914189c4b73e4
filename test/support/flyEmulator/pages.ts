import { badRequest } from './apiFailure';

/** A cursor names the position after the last item handed out; opaque to clients. */
export function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw badRequest(`invalid cursor "${cursor}"`);
  return Number(match[1]);
}

export interface Page<T> {
  items: T[];
  /** Absent when no more remain. */
  nextCursor?: string;
}

/**
 * The newest spec's paged REST lists: `limit` (1 to `max`) turns paging on, `cursor` (which requires limit) goes on
 * from the previous page; without a limit everything comes at once.
 */
export function restPage<T>(items: readonly T[], query: URLSearchParams, max: number): Page<T> {
  const limitText = query.get('limit');
  const cursor = query.get('cursor');
  if (limitText === null) {
    if (cursor !== null) throw badRequest('cursor requires limit');
    return { items: [...items] };
  }
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > max) throw badRequest(`invalid limit "${limitText}": must be between 1 and ${max}`);
  return pageFrom(items, cursor === null ? 0 : decodeCursor(cursor), limit);
}

/** A Relay connection (GraphQL `first`/`after`), as Organization.apps and App.machines answer. */
export function connection<T>(items: readonly T[], first: number | null | undefined, after: string | null | undefined) {
  if (first !== null && first !== undefined && first < 0) throw badRequest('first must not be negative');
  const start = after ? decodeCursor(after) : 0;
  const page = pageFrom(items, start, first ?? items.length);
  const edges = page.items.map((node, index) => ({ node, cursor: encodeCursor(start + index + 1) }));
  return {
    nodes: page.items,
    edges,
    totalCount: items.length,
    pageInfo: { hasNextPage: page.nextCursor !== undefined, hasPreviousPage: start > 0, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

function pageFrom<T>(items: readonly T[], start: number, limit: number): Page<T> {
  const end = start + limit;
  return { items: items.slice(start, end), ...(end < items.length ? { nextCursor: encodeCursor(end) } : {}) };
}
