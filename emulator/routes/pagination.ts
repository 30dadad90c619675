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
      { parameters: [name, raw] },
    );
  }
  return value;
}

function boolParam(query: URLSearchParams, name: string, fallback: boolean): boolean {
  const raw = query.get(name);
  if (raw === null) return fallback;
  if (raw !== "true" && raw !== "false") {
    throw new AtlasError(
      400,
      "INVALID_QUERY_PARAMETER",
      `Query parameter ${name} must be true or false.`,
      { parameters: [name, raw] },
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
  // Links as Atlas writes them (files 13, 14, 20): `self` is the request's query with pageNum
  // and itemsPerPage moved to the end, in that order; `next` (and `previous`) keep the request's
  // order with pageNum replaced in place.
  const selfQuery = new URLSearchParams(query);
  selfQuery.delete("pageNum");
  selfQuery.delete("itemsPerPage");
  selfQuery.append("pageNum", String(pageNum));
  selfQuery.append("itemsPerPage", String(itemsPerPage));
  const pageUrl = (n: number): string => {
    const q = new URLSearchParams(query);
    q.set("itemsPerPage", String(itemsPerPage));
    q.set("pageNum", String(n));
    return `${selfUrl}?${q.toString()}`;
  };
  const links: Link[] = [{ href: `${selfUrl}?${selfQuery.toString()}`, rel: "self" }];
  if (pageNum > 1) links.push({ href: pageUrl(pageNum - 1), rel: "previous" });
  if (start + itemsPerPage < items.length) links.push({ href: pageUrl(pageNum + 1), rel: "next" });
  const result: { links: Link[]; results: V[]; totalCount?: number } = {
    links,
    results: page.map(view),
  };
  if (includeCount) result.totalCount = items.length;
  return result;
}
