/**
 * HTTP Digest with Atlas API keys, paying one round trip per call in the steady state.
 *
 * MongoDB's own tools send every request twice (unsigned, then signed after the 401). RFC 7616
 * §3.4 lets a client reuse a nonce with an increasing nonce count, so we keep the last challenge
 * and sign every later request with it; only a 401 (stale nonce or not) brings a new challenge.
 * The session is shared by every client with the same base URL and key pair in the process, so
 * one host process serving many resources pays for one challenge.
 */
import { randomBytes } from "node:crypto";
import type { DigestCredentials } from "../settings";
import { atlasProcessState } from "../process-state";
import { describeChallenges, digestAuthorization, selectDigestChallenge } from "./digest-math";
import type { DigestChallenge } from "./digest-math";
import type {
  AuthRequest,
  AuthStrategy,
  UnauthorizedResponse,
  UnauthorizedVerdict,
} from "./strategy";

export interface DigestSession {
  challenge: DigestChallenge | undefined;
  /** Last nonce count used with `challenge.nonce`. */
  nc: number;
  /** Set while one unsigned request is out fetching the first challenge; others wait on it. */
  gate: { promise: Promise<void>; open: () => void } | undefined;
}

const sessions = atlasProcessState.digestSessions;

function sessionFor(key: string): DigestSession {
  let s = sessions.get(key);
  if (!s) {
    s = { challenge: undefined, nc: 0, gate: undefined };
    sessions.set(key, s);
  }
  return s;
}

export class DigestAuth implements AuthStrategy {
  private readonly session: DigestSession;

  constructor(
    private readonly credentials: DigestCredentials,
    sessionKey: string,
    private readonly cnonce: () => string = () => randomBytes(16).toString("hex"),
  ) {
    this.session = sessionFor(sessionKey);
  }

  async authorize(request: AuthRequest): Promise<string | undefined> {
    const s = this.session;
    for (;;) {
      if (s.challenge) {
        // Incremented synchronously, so concurrent requests never share a nonce count.
        s.nc += 1;
        return digestAuthorization({
          challenge: s.challenge,
          method: request.method,
          uri: request.uri,
          username: this.credentials.publicKey,
          password: this.credentials.privateKey,
          nc: s.nc,
          cnonce: this.cnonce(),
        }).header;
      }
      if (!s.gate) {
        // This request goes out unsigned; its 401 brings the challenge everyone else waits for.
        let open!: () => void;
        const promise = new Promise<void>((resolve) => (open = resolve));
        s.gate = { promise, open };
        return undefined;
      }
      await s.gate.promise;
    }
  }

  async onUnauthorized(response: UnauthorizedResponse): Promise<UnauthorizedVerdict> {
    const header = response.headers["www-authenticate"];
    const challenge = selectDigestChallenge(header);
    if (!challenge) {
      // Unsigned, we never got to try the key: say what the server offered. Signed, the 401 is
      // Atlas's verdict on the key.
      return response.sentAuthorization === undefined
        ? { unusable: describeChallenges(header) }
        : "refused";
    }
    const s = this.session;
    s.challenge = challenge;
    s.nc = 0;
    this.openGate();
    return "retry";
  }

  onSettled(): void {
    // The unsigned request ended without a challenge (no answer, or no usable header): let a
    // waiting request try instead of waiting forever.
    if (!this.session.challenge) this.openGate();
  }

  private openGate(): void {
    const gate = this.session.gate;
    this.session.gate = undefined;
    gate?.open();
  }
}
