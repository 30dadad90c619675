/**
 * Everything one running emulator owns, wired once from the resolved options (options.ts). Each
 * part of the emulator sees only the narrow interface it declares (AtlasHost in dispatch.ts,
 * OAuthHost in auth/oauth.ts, ControlHost in control.ts, ControlHttpHost in control-http.ts, and
 * the AuthHost and FaultHost they build on); Core implements them all, and only server.ts, which
 * assembles the emulator, imports it.
 */
import { DigestAuth } from "./auth/digest";
import { TokenStore } from "./auth/oauth";
import type { OAuthHost } from "./auth/oauth";
import type { ControlHost } from "./control";
import type { ControlHttpHost } from "./control-http";
import type { AtlasHost } from "./dispatch";
import { FaultRegistry } from "./faults";
import { DEFAULT_TOKEN_BUCKET, InvitationLimiter, TokenBucket } from "./limits";
import { RequestLogStore } from "./log";
import type { ResolvedOptions } from "./options";
import type { UserRemovals } from "./routes/common";
import { AtlasState } from "./state";
import { SunsetClock } from "./sunset";
import type { EmulatorStats } from "./types";

export class Core implements AtlasHost, OAuthHost, ControlHost, ControlHttpHost {
  readonly state: AtlasState;
  readonly digest: DigestAuth;
  readonly tokens: TokenStore;
  readonly faults = new FaultRegistry();
  readonly invitationLimiter = new InvitationLimiter();
  readonly bucket = new TokenBucket();
  readonly log = new RequestLogStore();
  /** removeOrgUser's removals by status; reset() zeroes them. */
  readonly removals: UserRemovals = { active: 0, pending: 0 };
  /** The sunset played now: the start-up value until setSunsetDate/sunsetNow. */
  readonly sunset: SunsetClock;
  baseUrl = "http://127.0.0.1";
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();

  constructor(readonly options: ResolvedOptions) {
    this.sunset = new SunsetClock(options.sunsetDate, options.now);
    this.state = new AtlasState(options.now);
    this.digest = new DigestAuth({
      publicKey: options.publicKey,
      privateKey: options.privateKey,
      algorithms: options.digestAlgorithms,
      nonceTtlMs: options.nonceTtlMs,
      now: options.now,
    });
    this.tokens = new TokenStore({
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      tokenTtlSeconds: options.tokenTtlSeconds,
      now: options.now,
    });
    this.bucket.set(DEFAULT_TOKEN_BUCKET, options.now());
  }

  now(): number {
    return this.options.now();
  }

  /** Back to start-up: state, faults, limits, log, counters and sunset (control reset). */
  reset(): void {
    this.state.reset();
    this.faults.clear();
    this.invitationLimiter.set(null);
    this.bucket.set(DEFAULT_TOKEN_BUCKET, this.now());
    this.log.restart();
    this.digest.challenges = 0;
    this.tokens.issued = 0;
    this.removals.active = 0;
    this.removals.pending = 0;
    this.sunset.restore();
  }

  stats(): EmulatorStats {
    return {
      digestChallenges: this.digest.challenges,
      tokensIssued: this.tokens.issued,
      activeUserRemovals: this.removals.active,
      pendingUserRemovals: this.removals.pending,
    };
  }

  /** Real-time wait for delay faults; close() wakes every sleeper so nothing outlives the server. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const sleeper = {
        timer: setTimeout(() => sleeper.wake(), ms),
        wake: () => {
          clearTimeout(sleeper.timer);
          this.sleepers.delete(sleeper);
          resolve();
        },
      };
      this.sleepers.add(sleeper);
    });
  }

  wakeAll(): void {
    for (const sleeper of [...this.sleepers]) sleeper.wake();
  }
}
