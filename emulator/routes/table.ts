/** The 11 slice operations, matched by method and path. */
import type { RouteDef } from "./common";
import { inviteRoutes } from "./invites";
import { userRoutes } from "./users";

export const SLICE_ROUTES: readonly RouteDef[] = [...inviteRoutes, ...userRoutes];

export function matchRoute(
  method: string,
  path: string,
): { route: RouteDef; params: string[] } | undefined {
  for (const route of SLICE_ROUTES) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(path);
    if (!m) continue;
    try {
      return { route, params: m.slice(1).map((p) => decodeURIComponent(p)) };
    } catch {
      return { route, params: m.slice(1) };
    }
  }
  return undefined;
}
