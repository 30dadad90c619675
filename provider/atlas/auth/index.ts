/** Picks the auth strategy for the settings' credential kind; both share process-wide sessions. */
import type { AtlasSettings } from "../settings";
import { DigestAuth } from "./digest";
import { settingsFingerprint } from "./fingerprint";
import { ServiceAccountAuth } from "./service-account";
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
