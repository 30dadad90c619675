/** Picks the auth strategy for the settings' credential kind; both share process-wide sessions. */
import type { AtlasSettings } from "../settings";
import { DigestAuth, clearDigestSessions } from "./digest";
import { settingsFingerprint } from "./fingerprint";
import { ServiceAccountAuth, clearTokenSessions } from "./service-account";
import type { AuthStrategy, SendRaw } from "./strategy";

export type {
  AuthRequest,
  AuthStrategy,
  RawRequest,
  RawResponse,
  SendRaw,
  UnauthorizedResponse,
  UnauthorizedVerdict,
} from "./strategy";
export { settingsFingerprint } from "./fingerprint";

export function createAuthStrategy(
  settings: AtlasSettings,
  deps: { send: SendRaw; now: () => number },
): AuthStrategy {
  const key = settingsFingerprint(settings);
  const c = settings.credentials;
  return c.kind === "digest"
    ? new DigestAuth(c, key)
    : new ServiceAccountAuth(c, key, deps.send, deps.now);
}

/** Forgets cached digest challenges and OAuth tokens for every credential (tests). */
export function clearAuthSessions(): void {
  clearDigestSessions();
  clearTokenSessions();
}
