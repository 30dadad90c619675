/**
 * Failures of one call to Atlas: an answer that is an error, no answer, an answer in the wrong
 * shape, authentication that cannot proceed, a proxy or TLS failure, or a spent budget. Messages
 * are built from the Atlas error body and the request line only: an error never keeps the axios
 * error, the request config or its headers, so no Authorization header, token or key reaches a
 * log through it (after octokit's `RequestError`, which redacts on copy).
 */
import type { AtlasSettingName } from "../settings";
import { AtlasError, kindGuard } from "./base";
import type { RequestLine } from "./base";

/**
 * A failure of one request: every such error names the method and the path it was about, and
 * the client settings that bear on it (by their neutral names), for the caller to word advice.
 */
export abstract class AtlasRequestError extends AtlasError {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** Path and query, without the base URL. */
  readonly path: string;
  /** The settings a user may change to fix this (`deadlineMs`, `publicKey`...); often none. */
  readonly settings: readonly AtlasSettingName[];

  constructor(
    message: string,
    line: RequestLine,
    options?: { cause?: unknown; settings?: readonly AtlasSettingName[] },
  ) {
    super(message, options);
    this.method = line.method;
    this.path = line.path;
    this.settings = options?.settings ?? [];
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      method: this.method,
      path: this.path,
      ...(this.settings.length > 0 && { settings: this.settings }),
    };
  }
}

/** `ApiError` as Atlas sends it (openapi slice, components.schemas.ApiError); every field optional. */
export interface ApiErrorBody {
  error?: number;
  errorCode?: string;
  detail?: string;
  reason?: string;
  parameters?: unknown[];
  badRequestDetail?: { fields?: { field?: string; description?: string }[] };
}

/** What an `AtlasApiError` is built from: the request line, the status and Atlas's error body. */
export interface AtlasApiErrorInit extends RequestLine {
  status: number;
  body: ApiErrorBody | undefined;
  /** Milliseconds Atlas asked us to wait (`Retry-After`), when it said. */
  retryAfterMs?: number | undefined;
  /** The credentials the request carried: a 401's hint names only their keys. */
  credentials?: CredentialKind | undefined;
}

/** Which credentials a request carried, for the hint of a 401. */
export type CredentialKind = "digest" | "serviceAccount";

const UNAUTHORIZED_HINT: Readonly<Record<CredentialKind | "either", string>> = {
  digest:
    "Atlas refused the API key: check its public and private key, and that the key's IP access list " +
    "includes this machine.",
  serviceAccount:
    "Atlas refused the service account: check its client id and secret, and that its IP access list " +
    "includes this machine.",
  either:
    "Atlas refused the credentials: check the API key or service account, and that it is not " +
    "restricted to other IP addresses.",
};

/** The settings a 401 concerns, by the credentials the request carried. */
const CREDENTIAL_SETTINGS: Readonly<Record<CredentialKind | "either", AtlasSettingName[]>> = {
  digest: ["publicKey", "privateKey"],
  serviceAccount: ["clientId", "clientSecret"],
  either: ["publicKey", "privateKey", "clientId", "clientSecret"],
};

function hintFor(status: number, credentials: CredentialKind | undefined): string | undefined {
  if (status === 401) return UNAUTHORIZED_HINT[credentials ?? "either"];
  if (status === 403) {
    return "The API key or service account lacks a role this call needs (invitations need Organization Owner).";
  }
  return undefined;
}

/**
 * "Atlas answered 409 USER_ALREADY_EXISTS"; without an errorCode (Atlas's digest 401 has none) the
 * status stands alone.
 */
export function answered(status: number, errorCode: string): string {
  return `Atlas answered ${status}${errorCode === "UNKNOWN" ? "" : ` ${errorCode}`}`;
}

/** Atlas answered with a non-success status. Decide on `status` and `errorCode`. */
export class AtlasApiError extends AtlasRequestError {
  override readonly name = "AtlasApiError";
  readonly kind = "api" as const;
  /** HTTP status, 400-599. */
  readonly status: number;
  /** Atlas's `errorCode`, or `UNKNOWN` when the body carried none (Atlas's digest 401 has none). */
  readonly errorCode: string;
  readonly detail: string | undefined;
  readonly reason: string | undefined;
  /** Atlas's `parameters`: strings in real answers (atlas-recorded/23-...), typed as objects by the spec. */
  readonly parameters: readonly unknown[];
  /** Field violations from `badRequestDetail.fields`, as `field: description`. */
  readonly fieldViolations: readonly string[];
  /** Milliseconds Atlas asked us to wait (`Retry-After`), when it said. */
  readonly retryAfterMs: number | undefined;
  /** The credentials the request carried, when known. */
  readonly credentials: CredentialKind | undefined;

  constructor(init: AtlasApiErrorInit) {
    const body = init.body ?? {};
    const errorCode =
      typeof body.errorCode === "string" && body.errorCode ? body.errorCode : "UNKNOWN";
    const detail = typeof body.detail === "string" ? body.detail : undefined;
    const reason = typeof body.reason === "string" ? body.reason : undefined;
    const hint = hintFor(init.status, init.credentials);
    const said =
      `${answered(init.status, errorCode)} for ${init.method} ${init.path}` +
      ((detail ?? reason) ? `: ${detail ?? reason}` : "");
    super(hint ? `${said}${/[.!?]$/.test(said) ? "" : "."} ${hint}` : said, init, {
      settings: init.status === 401 ? CREDENTIAL_SETTINGS[init.credentials ?? "either"] : [],
    });
    this.credentials = init.credentials;
    this.status = init.status;
    this.errorCode = errorCode;
    this.detail = detail;
    this.reason = reason;
    this.parameters = Array.isArray(body.parameters) ? body.parameters : [];
    this.fieldViolations = (body.badRequestDetail?.fields ?? []).map(
      (f) => `${String(f.field)}: ${String(f.description)}`,
    );
    this.retryAfterMs = init.retryAfterMs;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      status: this.status,
      errorCode: this.errorCode,
      detail: this.detail,
    };
  }
}

/** The request never got an HTTP answer (reset, refused, DNS...). */
export class AtlasNetworkError extends AtlasRequestError {
  override readonly name = "AtlasNetworkError";
  readonly kind = "network" as const;
  /** Node's error code (`ECONNRESET`, `ECONNREFUSED`, `ENOTFOUND`...) or `UNKNOWN`. */
  readonly code: string;

  /** The host the connection was for (the base URL's; the proxy has its own error). */
  readonly host: string | undefined;

  constructor(init: RequestLine & { code: string | undefined; host?: string | undefined }) {
    const code = init.code ?? "UNKNOWN";
    const at = init.host !== undefined ? ` at ${init.host}` : "";
    super(`Network error calling Atlas${at} for ${init.method} ${init.path}: ${code}`, init);
    this.code = code;
    this.host = init.host;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), code: this.code, host: this.host };
  }
}

/** No answer within one attempt's timeout. */
export class AtlasTimeoutError extends AtlasRequestError {
  override readonly name = "AtlasTimeoutError";
  readonly kind = "timeout" as const;
  /** The attempt's timeout, in milliseconds. */
  readonly timeoutMs: number;

  constructor(init: RequestLine & { timeoutMs: number }) {
    super(
      `Atlas did not answer ${init.method} ${init.path} within ${init.timeoutMs} ms (the attempt ` +
        `timeout, requestTimeoutMs, or what was left of the operation's budget, deadlineMs)`,
      init,
      { settings: ["requestTimeoutMs", "deadlineMs"] },
    );
    this.timeoutMs = init.timeoutMs;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), timeoutMs: this.timeoutMs };
  }
}

/** Atlas answered, but not in a shape the API promises (malformed JSON, missing fields). */
export class AtlasProtocolError extends AtlasRequestError {
  override readonly name = "AtlasProtocolError";
  readonly kind = "protocol" as const;
  readonly status: number;

  constructor(init: RequestLine & { status: number; problem: string }) {
    super(
      `Atlas answered ${init.status} for ${init.method} ${init.path} with ${init.problem}`,
      init,
    );
    this.status = init.status;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status };
  }
}

/**
 * A 401 that carried no HTTP Digest challenge this client can answer (RFC 7616 §3.3: an
 * algorithm it does not offer, or only `qop=auth-int`), so the API key could not even be tried.
 */
export class AtlasAuthenticationError extends AtlasRequestError {
  override readonly name = "AtlasAuthenticationError";
  readonly kind = "authentication" as const;
  readonly status = 401;
  readonly errorCode = "NO_USABLE_DIGEST_CHALLENGE";
  /** What the server offered, as `scheme algorithm qop` triples (no nonce). */
  readonly offered: string;

  constructor(init: RequestLine & { offered: string }) {
    super(
      `Atlas answered 401 for ${init.method} ${init.path} without a usable HTTP Digest challenge ` +
        `(offered: ${init.offered || "none"}); this client answers Digest with MD5 or SHA-256 and qop "auth". ` +
        "Check that the base URL points at the Atlas Admin API, or use a service account.",
      init,
      { settings: ["baseUrl", "clientId", "clientSecret"] },
    );
    this.offered = init.offered;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      status: this.status,
      errorCode: this.errorCode,
      offered: this.offered,
    };
  }
}

/** The HTTPS proxy in the environment could not be reached or refused the tunnel. */
export class AtlasProxyError extends AtlasRequestError {
  override readonly name = "AtlasProxyError";
  readonly kind = "proxy" as const;
  /** The proxy's origin, never its credentials (`http://proxy.example:3128`). */
  readonly proxy: string;
  /** The environment variable that named the proxy (`HTTPS_PROXY`, `https_proxy`, `ALL_PROXY`...). */
  readonly variable: string;
  /** The proxy's answer to CONNECT (407, 502...), when it answered. */
  readonly status: number | undefined;
  /** Node's error code when the proxy could not be reached (`ECONNREFUSED`...). */
  readonly code: string | undefined;

  constructor(
    init: RequestLine & {
      proxy: string;
      variable: string;
      status?: number | undefined;
      code?: string | undefined;
    },
  ) {
    const tlsToProxy =
      init.proxy.startsWith("https:") &&
      (init.code === "EPROTO" || init.code?.startsWith("ERR_SSL_") === true);
    const what =
      init.status !== undefined
        ? `refused the tunnel with ${init.status}${init.status === 407 ? " Proxy Authentication Required: check the user and password in the proxy URL" : ""}`
        : tlsToProxy
          ? `was reached, but the TLS handshake with it failed (${init.code ?? "UNKNOWN"}): most proxies ` +
            `speak plain HTTP, so write it as http://${init.proxy.slice("https://".length)}`
          : `could not be reached (${init.code ?? "UNKNOWN"})`;
    super(
      `The proxy ${init.proxy} (from ${init.variable}) ${what}, for ${init.method} ${init.path}. ` +
        `Fix ${init.variable}, or add the Atlas host to NO_PROXY if it must be reached directly.`,
      init,
    );
    this.proxy = init.proxy;
    this.variable = init.variable;
    this.status = init.status;
    this.code = init.code;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      proxy: this.proxy,
      variable: this.variable,
      status: this.status,
      code: this.code,
    };
  }
}

const TLS_REASONS: Readonly<Record<string, string>> = {
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    "its certificate is signed by an authority this process does not trust",
  UNABLE_TO_GET_ISSUER_CERT:
    "its certificate is signed by an authority this process does not trust",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    "its certificate is signed by an authority this process does not trust",
  SELF_SIGNED_CERT_IN_CHAIN:
    "its certificate chain ends in a self-signed authority this process does not trust",
  DEPTH_ZERO_SELF_SIGNED_CERT: "it presented a self-signed certificate",
  CERT_HAS_EXPIRED: "its certificate has expired (or this machine's clock is wrong)",
  CERT_NOT_YET_VALID: "its certificate is not valid yet (or this machine's clock is wrong)",
  ERR_TLS_CERT_ALTNAME_INVALID: "its certificate is for another host name",
};

/** Node error codes that are TLS verification failures (tls.TLSSocket#authorizationError). */
export function isTlsFailureCode(code: string | undefined): boolean {
  return (
    code !== undefined &&
    (code in TLS_REASONS ||
      code.startsWith("ERR_TLS_") ||
      code.startsWith("ERR_SSL_") ||
      /^(CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO)/.test(code))
  );
}

/** TLS with the Atlas host (or the proxy's tunnel to it) failed certificate verification. */
export class AtlasTlsError extends AtlasRequestError {
  override readonly name = "AtlasTlsError";
  readonly kind = "tls" as const;
  /** The host whose certificate failed (`cloud.mongodb.com`). */
  readonly host: string;
  /** Node's error code (`UNABLE_TO_GET_ISSUER_CERT_LOCALLY`, `CERT_HAS_EXPIRED`, `ERR_TLS_CERT_ALTNAME_INVALID`...). */
  readonly code: string;

  constructor(init: RequestLine & { host: string; code: string }) {
    const reason = TLS_REASONS[init.code] ?? "the TLS handshake failed";
    const fix =
      init.code === "CERT_HAS_EXPIRED" || init.code === "CERT_NOT_YET_VALID"
        ? "Check the clock of this machine, and which certificate the network path presents."
        : init.code === "ERR_TLS_CERT_ALTNAME_INVALID"
          ? "Check the base URL, and whether a proxy intercepts TLS for another name."
          : "If your network or proxy re-signs TLS with a private certificate authority, set NODE_EXTRA_CA_CERTS " +
            "to that authority's PEM file in the environment of this process (Node reads it at start-up).";
    super(
      `TLS to ${init.host} failed for ${init.method} ${init.path}: ${reason} (${init.code}). ${fix}`,
      init,
      init.code === "ERR_TLS_CERT_ALTNAME_INVALID" ? { settings: ["baseUrl"] } : undefined,
    );
    this.host = init.host;
    this.code = init.code;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      host: this.host,
      code: this.code,
    };
  }
}

/**
 * One operation (a provider's create, read, update or delete, with every call, wait and retry it
 * needed) ran out of its time budget, the setting `deadlineMs`.
 */
export class AtlasDeadlineError extends AtlasRequestError {
  override readonly name = "AtlasDeadlineError";
  readonly kind = "deadline" as const;
  /** The operation's budget, in milliseconds. */
  readonly deadlineMs: number;

  constructor(init: RequestLine & { deadlineMs: number; why: string; cause?: unknown }) {
    super(
      `${init.method} ${init.path} did not complete within the operation's budget of ${formatMs(init.deadlineMs)} ` +
        `(deadlineMs): ${init.why}. Run again later, or raise the budget.`,
      init,
      { cause: init.cause, settings: ["deadlineMs"] },
    );
    this.deadlineMs = init.deadlineMs;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), deadlineMs: this.deadlineMs };
  }
}

/** Settings are missing, half-set or malformed. Names the keys to set, never their values. */
export class AtlasConfigurationError extends AtlasError {
  override readonly name = "AtlasConfigurationError";
  readonly kind = "configuration" as const;
  /** Config keys and environment variables the message asks the user to set or fix. */
  readonly keys: readonly string[];

  constructor(message: string, keys: readonly string[], options?: { cause?: unknown }) {
    super(message, options);
    this.keys = keys;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), keys: this.keys };
  }
}

/** `1500` -> "1.5 s", `180000` -> "180 s", `250` -> "250 ms". */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.ceil(ms)} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

/** Whether `value` is an `AtlasApiError` (Atlas answered an error status), from any loaded copy of the package. */
export const isAtlasApiError = kindGuard<AtlasApiError>("api");
/** Whether `value` is an `AtlasNetworkError` (no answer: reset, refused, DNS). */
export const isAtlasNetworkError = kindGuard<AtlasNetworkError>("network");
/** Whether `value` is an `AtlasTimeoutError` (no answer within one attempt's timeout). */
export const isAtlasTimeoutError = kindGuard<AtlasTimeoutError>("timeout");
/** Whether `value` is an `AtlasProtocolError` (an answer in the wrong shape). */
export const isAtlasProtocolError = kindGuard<AtlasProtocolError>("protocol");
/** Whether `value` is an `AtlasAuthenticationError` (a 401 without a usable Digest challenge). */
export const isAtlasAuthenticationError = kindGuard<AtlasAuthenticationError>("authentication");
/** Whether `value` is an `AtlasProxyError` (the HTTPS proxy refused or could not be reached). */
export const isAtlasProxyError = kindGuard<AtlasProxyError>("proxy");
/** Whether `value` is an `AtlasTlsError` (certificate verification failed). */
export const isAtlasTlsError = kindGuard<AtlasTlsError>("tls");
/** Whether `value` is an `AtlasDeadlineError` (the operation's budget ran out). */
export const isAtlasDeadlineError = kindGuard<AtlasDeadlineError>("deadline");
/** Whether `value` is an `AtlasConfigurationError` (missing or bad settings). */
export const isAtlasConfigurationError = kindGuard<AtlasConfigurationError>("configuration");
