/**
 * `AtlasApi` over one transport. `getSharedAtlasClient` hands every caller in the process with
 * the same settings the same client, so resources of one deployment share one HTTP stack (and,
 * through the auth sessions, one digest challenge or one token).
 */
import type { AtlasApi } from "./api";
import { settingsFingerprint } from "./auth";
import { createTransport, resolveTransportOptions } from "./http";
import type { TransportOptions } from "./http";
import {
  createOrgInvite,
  deleteOrgInvite,
  getOrgInvite,
  listOrgInvites,
  updateOrgInviteById,
} from "./invitations";
import type { InvitationPacing } from "./invitations";
import { getInvitationPacer } from "./pacer";
import type { InvitationPacer } from "./pacer";
import type { AtlasSettings } from "./settings";
import { findOrgUserByUsername, getOrgUser } from "./users";

export { settingsFingerprint } from "./auth";
export type { TransportOptions } from "./http";

export type AtlasClientOptions = TransportOptions & {
  /**
   * Paces invitation-sending calls to Atlas's invitation limit.
   * @default the process's pacer for `settings.baseUrl` (the limit is per client IP)
   */
  pacer?: InvitationPacer | undefined;
};

function pacingFor(settings: AtlasSettings, options: AtlasClientOptions): InvitationPacing {
  const { policy, now, sleep, random, logger } = resolveTransportOptions(options);
  return {
    pacer: options.pacer ?? getInvitationPacer(settings.baseUrl),
    policy,
    random,
    time: { now, sleep, logger, maxWaitMs: Infinity },
  };
}

export function createAtlasClient(
  settings: AtlasSettings,
  options: AtlasClientOptions = {},
): AtlasApi {
  const http = createTransport(settings, options);
  const pacing = pacingFor(settings, options);
  return {
    listOrgInvites: (orgId, opts) => listOrgInvites(http, orgId, opts),
    createOrgInvite: (orgId, body) => createOrgInvite(http, orgId, body, pacing),
    getOrgInvite: (orgId, id) => getOrgInvite(http, orgId, id),
    updateOrgInviteById: (orgId, id, body) => updateOrgInviteById(http, orgId, id, body, pacing),
    deleteOrgInvite: (orgId, id) => deleteOrgInvite(http, orgId, id),
    findOrgUserByUsername: (orgId, username) => findOrgUserByUsername(http, orgId, username),
    getOrgUser: (orgId, userId) => getOrgUser(http, orgId, userId),
  };
}

const shared = new Map<string, AtlasApi>();

/**
 * One client per settings fingerprint (and retry overrides) in the process. Other `options`
 * apply only when the client is first created for those settings.
 */
export function getSharedAtlasClient(
  settings: AtlasSettings,
  options?: AtlasClientOptions,
): AtlasApi {
  const key = `${settingsFingerprint(settings)}|${JSON.stringify(options?.retry ?? {})}`;
  let client = shared.get(key);
  if (!client) {
    client = createAtlasClient(settings, options);
    shared.set(key, client);
  }
  return client;
}

/** Forgets the shared clients (tests). */
export function clearSharedAtlasClients(): void {
  shared.clear();
}
