/**
 * `createAtlasClient`: the typed operations over one transport. `getSharedAtlasClient` hands every
 * caller in the process with the same settings the same client, so the resources of one
 * deployment share one HTTP stack (and, through the auth sessions, one digest challenge or one
 * token; through the rate-limit views, one picture of Atlas's limits).
 */
import type { AtlasClient } from "./api";
import { settingsFingerprint } from "./auth";
import { createTransport } from "./http";
import type { TransportOptions } from "./http";
import * as invites from "./invitations";
import { atlasProcessState } from "./process-state";
import type { AtlasSettings } from "./settings";
import * as users from "./users";

/** Options of a client: retry overrides, clock, logger, and an ear on every answer (see `TransportOptions`). */
export type AtlasClientOptions = TransportOptions;

/**
 * A client for `settings`.
 * @throws AtlasConfigurationError for invalid retry overrides
 */
export function createAtlasClient(
  settings: AtlasSettings,
  options: AtlasClientOptions = {},
): AtlasClient {
  const http = createTransport(settings, options);
  return {
    budget: () => http.budget(),
    listOrgInvites: (orgId, opts, call) => invites.listOrgInvites(http, orgId, opts, call),
    createOrgInvite: (orgId, body, call) => invites.createOrgInvite(http, orgId, body, call),
    getOrgInvite: (orgId, id, call) => invites.getOrgInvite(http, orgId, id, call),
    updateOrgInviteById: (orgId, id, body, call) =>
      invites.updateOrgInviteById(http, orgId, id, body, call),
    deleteOrgInvite: (orgId, id, call) => invites.deleteOrgInvite(http, orgId, id, call),
    listOrgUsers: (orgId, page, call) => users.listOrgUsers(http, orgId, page, call),
    listAllOrgUsers: (orgId, call) => users.listAllOrgUsers(http, orgId, call),
    getOrgUser: (orgId, userId, call) => users.getOrgUser(http, orgId, userId, call),
    createOrgUser: (orgId, body, call) => users.createOrgUser(http, orgId, body, call),
    updateOrgUser: (orgId, userId, body, call) =>
      users.updateOrgUser(http, orgId, userId, body, call),
    removeOrgUser: (orgId, userId, call) => users.removeOrgUser(http, orgId, userId, call),
    removePendingOrgUser: (orgId, userId, call) =>
      users.removePendingOrgUser(http, orgId, userId, call),
    updatePendingOrgUser: (orgId, userId, body, call) =>
      users.updatePendingOrgUser(http, orgId, userId, body, call),
  };
}

const shared = atlasProcessState.clients;

/**
 * One client per settings fingerprint and retry overrides in the process. Other `options` apply
 * only when the client is first created for those settings.
 */
export function getSharedAtlasClient(
  settings: AtlasSettings,
  options?: AtlasClientOptions,
): AtlasClient {
  const key = `${settingsFingerprint(settings)}|${JSON.stringify(options?.policy ?? options?.retry ?? {})}`;
  let client = shared.get(key);
  if (!client) {
    client = createAtlasClient(settings, options);
    shared.set(key, client);
  }
  return client;
}
