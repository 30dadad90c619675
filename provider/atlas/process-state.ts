/**
 * Everything the Atlas client shares across one process, owned by one object: the shared clients
 * (one per settings), the auth sessions (one digest challenge or one OAuth token per credential)
 * and the views of Atlas's rate limits (a token bucket per origin and organization, the
 * invitation limit per origin). One host process serves a whole Pulumi deployment, so every
 * resource of it shares these, whichever client object it uses. `reset` forgets them all (tests,
 * bench); the provider's own shared state is owned by provider/process-state.ts, which resets this
 * one too.
 */
import type { AtlasClient } from "./api";
import type { DigestSession } from "./auth/digest";
import type { TokenSession } from "./auth/service-account";
import type { BucketView } from "./bucket-view";
import type { InvitationView } from "./invitation-view";

export class AtlasProcessState {
  /** Shared clients, by settings fingerprint and retry policy (client.ts). */
  readonly clients = new Map<string, AtlasClient>();
  /** Digest challenges and nonce counts, by credential fingerprint (auth/digest.ts). */
  readonly digestSessions = new Map<string, DigestSession>();
  /** Cached OAuth tokens and the request fetching one, by credential fingerprint. */
  readonly tokenSessions = new Map<string, TokenSession>();
  /** Token-bucket views, by origin and scope (pacing.ts). */
  readonly buckets = new Map<string, BucketView>();
  /** Invitation-limit views, by origin (pacing.ts). */
  readonly invitationViews = new Map<string, InvitationView>();

  /** Forgets everything; a digest request waiting for a first challenge is released. */
  reset(): void {
    for (const session of this.digestSessions.values()) session.gate?.open();
    this.clients.clear();
    this.digestSessions.clear();
    this.tokenSessions.clear();
    this.buckets.clear();
    this.invitationViews.clear();
  }
}

/** The process's one instance. */
export const atlasProcessState = new AtlasProcessState();
