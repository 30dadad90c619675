/** Atlas list pagination: itemsPerPage 1..500 (default 100), pageNum from 1, includeCount default true. */
import { AtlasError } from "../errors";
import type { Link } from "../views";

function intParam(
  query: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new AtlasError(
      400,
      "INVALID_QUERY_PARAMETER",
      `Query parameter ${name} must be an integer between ${min} and ${max}.`,
    );
  }
  return value;
}

export function boolParam(query: URLSearchParams, name: string, fallback: boolean): boolean {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if (raw !== "true" && raw !== "false") {
    throw new AtlasError(
      400,
      "INVALID_QUERY_PARAMETER",
      `Query parameter ${name} must be true or false.`,
    );
  }
  return raw === "true";
}

export function paginate<T, V>(
  items: T[],
  query: URLSearchParams,
  selfUrl: string,
  view: (item: T) => V,
): { links: Link[]; results: V[]; totalCount?: number } {
  const itemsPerPage = intParam(query, "itemsPerPage", 100, 1, 500);
  const pageNum = intParam(query, "pageNum", 1, 1, Number.MAX_SAFE_INTEGER);
  const includeCount = boolParam(query, "includeCount", true);
  const start = (pageNum - 1) * itemsPerPage;
  const page = items.slice(start, start + itemsPerPage);
  const pageUrl = (n: number): string => {
    const q = new URLSearchParams(query);
    q.set("pageNum", String(n));
    q.set("itemsPerPage", String(itemsPerPage));
    return `${selfUrl}?${q.toString()}`;
  };
  const links: Link[] = [{ href: pageUrl(pageNum), rel: "self" }];
  if (pageNum > 1) links.push({ href: pageUrl(pageNum - 1), rel: "previous" });
  if (start + itemsPerPage < items.length) links.push({ href: pageUrl(pageNum + 1), rel: "next" });
  const result: { links: Link[]; results: V[]; totalCount?: number } = {
    links,
    results: page.map(view),
  };
  if (includeCount) result.totalCount = items.length;
  return result;
}
