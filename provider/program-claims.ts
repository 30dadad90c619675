/**
 * Who declares whom, within one run of a Pulumi program (this code runs in the program's process,
 * not the provider's). Every `OrgInvitation` registers its person (organization and email address,
 * any letter case) with the run; each one that shares its person with another resource of the run
 * carries a mark naming that other resource (`DECLARED_TWICE_KEY`), and the provider's `check`
 * refuses it, at preview already, before any API call.
 *
 * Marks are decided one macrotask after the person is known, so that resources declared in the
 * same turn of the program (the usual case: a list, a loop) all see each other and all of them
 * are refused: refusing only the second would let the first, if it is the new one, adopt the
 * invitation the other manages. A duplicate whose values arrive later is marked alone; the
 * provider's own guard (claims.ts) then refuses the create.
 *
 * The registry is keyed by the run's stack resource (`pulumi.runtime.getStackResource`), so runs
 * of the Automation API in one process never see each other, and it lives on `globalThis` under a
 * registered symbol, so two copies of this package in one program share it. Without a stack
 * resource (unit tests under `pulumi.runtime.setMocks`), nothing is marked.
 */
import * as pulumi from "@pulumi/pulumi";
import { personKey } from "./identity";

interface Declaration {
  resource: string;
  username: string;
}

type Registry = WeakMap<object, Map<string, Declaration[]>>;

const REGISTRY = Symbol.for("pulumi-atlas-org-invitations.program-claims");

function registry(): Registry {
  const holder: Record<symbol, Registry | undefined> = globalThis;
  const existing = holder[REGISTRY];
  if (existing) return existing;
  const created: Registry = new WeakMap();
  holder[REGISTRY] = created;
  return created;
}

/**
 * The mark for one resource: an output that resolves, once the person is known and the current
 * turn of the program has ended, to JSON naming another resource of the run that declares the same
 * person, or to undefined (no property at all). Undefined when there is no run to key by.
 */
export function declaredTwiceMark(
  resource: string,
  orgId: pulumi.Input<string>,
  username: pulumi.Input<string>,
): pulumi.Output<string | undefined> | undefined {
  const run = pulumi.runtime.getStackResource();
  if (!run) return undefined;
  const byPerson = registry().get(run) ?? new Map<string, Declaration[]>();
  registry().set(run, byPerson);
  return pulumi.all([orgId, username]).apply(async ([org, address]) => {
    if (typeof org !== "string" || typeof address !== "string") return undefined;
    const key = personKey(org, address);
    const declarations = byPerson.get(key) ?? [];
    declarations.push({ resource, username: address });
    byPerson.set(key, declarations);
    await new Promise<void>((resolve) => setImmediate(resolve));
    const other = declarations.find((d) => d.resource !== resource);
    return other ? JSON.stringify(other) : undefined;
  });
}
