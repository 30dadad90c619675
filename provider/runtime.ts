/**
 * The stable runtime entry point, exported as `pulumi-atlas-org-invitations/runtime`. This module
 * IS the dynamic provider that `OrgInvitation` hands to Pulumi: the closure serializer emits a
 * captured module that lives under node_modules as `require("<package>/<subpath>")`, so the
 * `__provider` stored in state is a few hundred bytes that require this subpath (resource.ts),
 * never the provider's code or anything it holds. Two consequences:
 *   - `pulumi refresh` and `pulumi destroy` run the `__provider` stored at the last update
 *     (pulumi#16826), which still reaches the code installed now: upgrades apply to them;
 *   - keep this subpath and these export names stable across versions.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { OrgInvitationProvider } from "./provider";
import type { OrgInvitationReadResult } from "./provider";
import type { OrgInvitationOutputs } from "./model";

import type { Props } from "./property-codec";

/** One provider per process: every resource of a deployment shares its clients and caches. */
export const provider = new OrgInvitationProvider();

export const configure = (req: dynamic.ConfigureRequest): Promise<void> => provider.configure(req);
export const check = (olds: Props, news: Props): Promise<dynamic.CheckResult<Props>> =>
  provider.check(olds, news);
export const diff = (
  id: string,
  olds: OrgInvitationOutputs | Props,
  news: Props,
): Promise<dynamic.DiffResult> => provider.diff(id, olds, news);
export const create = (inputs: Props): Promise<dynamic.CreateResult<OrgInvitationOutputs>> =>
  provider.create(inputs);
export const read = (
  id: string,
  props?: OrgInvitationOutputs | Props,
): Promise<OrgInvitationReadResult> => provider.read(id, props);
export const update = (
  id: string,
  olds: OrgInvitationOutputs | Props,
  news: Props,
): Promise<dynamic.UpdateResult<OrgInvitationOutputs>> => provider.update(id, olds, news);
// `delete` is a reserved word, so it cannot be an exported const; export it under its name.
const remove = (id: string, props: OrgInvitationOutputs | Props): Promise<void> =>
  provider.delete(id, props);
export { remove as delete };
