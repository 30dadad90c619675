/** The slice's operations as a route table: method + path template -> operation. */
import { spec } from "./slice-schemas";
import type { OperationObject } from "./slice-schemas";

export interface Route {
  operationId: string;
  method: string;
  pathTemplate: string;
  /** JSON pointer of the operation object in the slice. */
  pointer: string;
  op: OperationObject;
  regex: RegExp;
  names: string[];
}

const HTTP_METHODS = ["get", "put", "post", "delete", "patch", "head", "options"] as const;

/** RFC 6901 escaping of one JSON pointer segment. */
export function escapePointer(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

function compileTemplate(template: string): { regex: RegExp; names: string[] } {
  const names: string[] = [];
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const name = /^\{([^}]+)\}$/.exec(part)?.[1];
      if (name === undefined) return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
      names.push(name);
      // A path parameter is one non-empty segment (OAS 3.0.1 "Path Templating").
      return "([^/]+)";
    })
    .join("");
  return { regex: new RegExp(`^${source}$`), names };
}

export const routes: readonly Route[] = Object.entries(spec.paths).flatMap(([template, item]) =>
  HTTP_METHODS.flatMap((m): Route[] => {
    const op = item[m];
    if (op === undefined) return [];
    return [
      {
        operationId: op.operationId,
        method: m.toUpperCase(),
        pathTemplate: template,
        pointer: `/paths/${escapePointer(template)}/${m}`,
        op,
        ...compileTemplate(template),
      },
    ];
  }),
);

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The route and decoded path parameters for a request, or undefined outside the slice. */
export function findRoute(
  method: string,
  pathname: string,
): { route: Route; params: Record<string, string> } | undefined {
  const bare = pathname.split("?")[0] ?? pathname;
  const upper = method.toUpperCase();
  for (const route of routes) {
    if (route.method !== upper) continue;
    const m = route.regex.exec(bare);
    if (m === null) continue;
    const params: Record<string, string> = {};
    route.names.forEach((name, i) => (params[name] = safeDecode(m[i + 1] ?? "")));
    return { route, params };
  }
  return undefined;
}
