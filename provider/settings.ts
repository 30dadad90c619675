/**
 * The one place that reads Pulumi config and environment variables, and turns them into typed
 * settings: Atlas credentials and base URL (the names of the official Atlas providers, Terraform
 * and `@pulumi/mongodbatlas`, so users keep the config they already have), the proxy from the
 * standard proxy variables, the retry budget, and the backend. Nothing else in the package reads
 * `process.env` or Pulumi config.
 */
import { isIP } from "node:net";
import { getProxyForUrl } from "proxy-from-env";
import { DEFAULT_BASE_URL } from "./atlas/settings";
import type { AtlasCredentials, AtlasSettings, ProxySettings } from "./atlas/settings";
import type { RetryOverrides } from "./atlas/retry";
import { Secret } from "./atlas/secret";
import { AtlasConfigurationError } from "./errors";
import { ON_ACCEPTED_ENV } from "./model";

export { DEFAULT_BASE_URL } from "./atlas/settings";

export type StringMap = Readonly<Record<string, string | undefined>>;

type SettingName = "baseUrl" | "publicKey" | "privateKey" | "clientId" | "clientSecret";

/** Pulumi config key and environment variables (first wins) for each Atlas setting. */
export const SETTING_SOURCES: Readonly<
  Record<SettingName, { config: string; env: readonly string[] }>
> = {
  baseUrl: { config: "mongodbatlas:baseUrl", env: ["MONGODB_ATLAS_BASE_URL"] },
  publicKey: {
    config: "mongodbatlas:publicKey",
    env: ["MONGODB_ATLAS_PUBLIC_KEY", "MONGODB_ATLAS_PUBLIC_API_KEY"],
  },
  privateKey: {
    config: "mongodbatlas:privateKey",
    env: ["MONGODB_ATLAS_PRIVATE_KEY", "MONGODB_ATLAS_PRIVATE_API_KEY"],
  },
  clientId: { config: "mongodbatlas:clientId", env: ["MONGODB_ATLAS_CLIENT_ID"] },
  clientSecret: { config: "mongodbatlas:clientSecret", env: ["MONGODB_ATLAS_CLIENT_SECRET"] },
};

/** The package's own Pulumi config keys (namespace `atlasInvitations`), with their valid ranges. */
export const TUNING_KEYS = {
  maxRetries: { key: "atlasInvitations:maxRetries", option: "limit", min: 0, max: 100 },
  requestTimeoutMs: {
    key: "atlasInvitations:requestTimeoutMs",
    option: "attemptTimeoutMs",
    min: 1,
    max: 3_600_000,
  },
  deadlineMs: { key: "atlasInvitations:deadlineMs", option: "deadlineMs", min: 1, max: 86_400_000 },
} as const;

/** Which Atlas API carries the invitations (README, "Life after the sunset"). */
export type InvitationApi = "auto" | "invites" | "users";
export const API_KEY = "atlasInvitations:api";
export const INVITATION_APIS: readonly InvitationApi[] = ["auto", "invites", "users"];

/** Every Pulumi config key the provider reads. */
export const CONFIG_KEYS: readonly string[] = [
  ...Object.values(SETTING_SOURCES).map((s) => s.config),
  ...Object.values(TUNING_KEYS).map((t) => t.key),
  API_KEY,
];

export interface SettingsSources {
  /** Pulumi stack config with namespaced keys (`mongodbatlas:publicKey`), as `configure` gets it. */
  config?: StringMap | undefined;
  /** Environment variables; `process.env` at the edge, a plain map in tests. */
  env?: StringMap | undefined;
}

/** Everything the provider needs, resolved and validated. */
export interface ProviderSettings {
  atlas: AtlasSettings;
  /** Retry and budget overrides from `atlasInvitations:*`; unset keys keep the defaults. */
  retry: RetryOverrides;
  api: InvitationApi;
  /** `ATLAS_INVITATIONS_ON_ACCEPTED=retain`: every delete leaves accepted members in place. */
  retainAccepted: boolean;
}

function describe(name: SettingName): string {
  const s = SETTING_SOURCES[name];
  return `config \`${s.config}\` or env ${s.env[0]}`;
}

function keysOf(...names: SettingName[]): string[] {
  return names.flatMap((n) => [SETTING_SOURCES[n].config, SETTING_SOURCES[n].env[0] as string]);
}

/** Reads one setting from one source; blank strings count as unset. */
function pick(
  name: SettingName,
  source: "config" | "env",
  sources: SettingsSources,
): string | undefined {
  const s = SETTING_SOURCES[name];
  const map = source === "config" ? sources.config : sources.env;
  if (!map) return undefined;
  for (const key of source === "config" ? [s.config] : s.env) {
    const value = map[key]?.trim();
    if (value) return value;
  }
  return undefined;
}

function credentialsFrom(
  source: "config" | "env",
  sources: SettingsSources,
): AtlasCredentials | undefined {
  const publicKey = pick("publicKey", source, sources);
  const privateKey = pick("privateKey", source, sources);
  const clientId = pick("clientId", source, sources);
  const clientSecret = pick("clientSecret", source, sources);

  const where = source === "config" ? "Pulumi config" : "the environment";
  // Only the half-set source's own keys: naming the other source would suggest the two combine.
  const named = (name: SettingName): string =>
    source === "config"
      ? `config \`${SETTING_SOURCES[name].config}\``
      : `env ${SETTING_SOURCES[name].env[0] ?? ""}`;
  const halfSet = (kind: string, missing: SettingName, present: SettingName) =>
    new AtlasConfigurationError(
      `Atlas ${kind} credentials are half set in ${where}: set ${named(missing)} as well, or ` +
        `unset ${named(present)}. Credentials come whole from one source (Pulumi config first, ` +
        `else the environment) and are never combined across the two.`,
      [
        source === "config"
          ? SETTING_SOURCES[missing].config
          : (SETTING_SOURCES[missing].env[0] ?? ""),
      ],
    );
  if ((clientId === undefined) !== (clientSecret === undefined)) {
    throw clientId === undefined
      ? halfSet("service account", "clientId", "clientSecret")
      : halfSet("service account", "clientSecret", "clientId");
  }
  if ((publicKey === undefined) !== (privateKey === undefined)) {
    throw publicKey === undefined
      ? halfSet("API key", "publicKey", "privateKey")
      : halfSet("API key", "privateKey", "publicKey");
  }
  // Service accounts are MongoDB's recommended credential; when a source holds both complete
  // pairs, prefer it (documented in the README).
  if (clientId !== undefined && clientSecret !== undefined) {
    return { kind: "serviceAccount", clientId, clientSecret: new Secret(clientSecret) };
  }
  if (publicKey !== undefined && privateKey !== undefined) {
    return { kind: "digest", publicKey, privateKey: new Secret(privateKey) };
  }
  return undefined;
}

/** Loopback hosts (an emulator): plain http is allowed, and no proxy is ever used. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1";
  return false;
}

/**
 * A base URL as it may be printed: user information and query or fragment (which can carry keys)
 * replaced by `[redacted]`, also when the text does not parse as a URL.
 */
function printableUrl(raw: string): string {
  return raw
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, "$1[redacted]@")
    .replace(/([?#]).*$/s, "$1[redacted]");
}

/**
 * Validates and normalizes a base URL. Plain `http://` is refused unless the host is loopback:
 * Digest and Bearer credentials must not cross a network in clear text.
 * @throws AtlasConfigurationError naming where the URL came from and how to fix it
 */
export function normalizeBaseUrl(raw: string, origin: string = describe("baseUrl")): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AtlasConfigurationError(
      `The Atlas base URL from ${origin} is not a valid URL: "${printableUrl(raw)}". ` +
        `Use an origin such as ${DEFAULT_BASE_URL}.`,
      keysOf("baseUrl"),
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new AtlasConfigurationError(
      `The Atlas base URL from ${origin} must use https:// (got ${url.protocol}//).`,
      keysOf("baseUrl"),
    );
  }
  if (url.protocol === "http:" && !isLoopback(url.hostname)) {
    throw new AtlasConfigurationError(
      `The Atlas base URL from ${origin} uses plain http:// for ${url.hostname}; ` +
        `credentials would travel unencrypted. Use https://, or a loopback host (127.0.0.1, ::1, localhost) for a local emulator.`,
      keysOf("baseUrl"),
    );
  }
  if (url.username || url.password) {
    throw new AtlasConfigurationError(
      `The Atlas base URL from ${origin} must not embed credentials; ` +
        `set ${describe("publicKey")} and ${describe("privateKey")} instead.`,
      keysOf("baseUrl"),
    );
  }
  if (url.search || url.hash || (url.pathname !== "/" && url.pathname !== "")) {
    throw new AtlasConfigurationError(
      `The Atlas base URL from ${origin} must be an origin without path, query or fragment ` +
        `(for example ${DEFAULT_BASE_URL}); got "${printableUrl(raw)}".`,
      keysOf("baseUrl"),
    );
  }
  return url.origin;
}

/** Runs proxy-from-env against `env` instead of `process.env` (it only reads `process.env`). */
function withEnv<T>(env: StringMap, run: () => T): T {
  if (env === process.env) return run();
  const saved = process.env;
  process.env = { ...env } as NodeJS.ProcessEnv;
  try {
    return run();
  } finally {
    process.env = saved;
  }
}

/**
 * The proxy for the base URL, chosen the way the Node ecosystem does (`proxy-from-env`, which
 * axios and npm's agents follow): `https_proxy`/`HTTPS_PROXY` (lower case first), then
 * `all_proxy`/`ALL_PROXY`, unless `NO_PROXY`/`no_proxy` matches the host; a value without a scheme
 * is an `http://` proxy. A loopback base URL (the emulator) never goes through a proxy.
 * @throws AtlasConfigurationError for a proxy URL that is not http(s), naming the variable
 */
export function resolveProxy(baseUrl: string, env: StringMap): ProxySettings | undefined {
  const target = new URL(baseUrl);
  if (isLoopback(target.hostname)) return undefined;
  let chosen = withEnv(env, () => getProxyForUrl(baseUrl));
  if (!chosen) return undefined;
  const scheme = target.protocol.replace(/:$/, "");
  const variable =
    [`${scheme}_proxy`, `${scheme.toUpperCase()}_PROXY`, "all_proxy", "ALL_PROXY"].find((name) => {
      const value = env[name];
      return (
        value !== undefined &&
        value !== "" &&
        (value === chosen || `${scheme}://${value}` === chosen)
      );
    }) ?? `${scheme.toUpperCase()}_PROXY`;
  // A value without a scheme (`proxy.corp:3128`) is an http:// proxy, as curl and Go's
  // x/net/http/httpproxy read it (the tools teams move from); proxy-from-env would borrow the
  // target's scheme and speak TLS to a plain HTTP proxy.
  const raw = env[variable] ?? "";
  if (raw !== "" && !raw.includes("://")) chosen = `http://${raw}`;
  let url: URL;
  try {
    url = new URL(chosen);
  } catch {
    throw new AtlasConfigurationError(
      `${variable} is not a valid proxy URL; use a form such as http://proxy.example:3128 ` +
        "(credentials, if any, as http://user:password@host:port).",
      [variable],
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new AtlasConfigurationError(
      `${variable} names a ${url.protocol}// proxy; only http:// and https:// proxies (HTTP CONNECT) are supported.`,
      [variable],
    );
  }
  return { url: new Secret(chosen), display: `${url.protocol}//${url.host}`, variable };
}

/**
 * Atlas settings: Pulumi config first, then environment variables. Credentials come whole from
 * one source (never a public key from config paired with a private key from the environment).
 * @throws AtlasConfigurationError naming the keys to set or fix
 */
export function resolveAtlasSettings(sources: SettingsSources): AtlasSettings {
  const configUrl = pick("baseUrl", "config", sources);
  const envUrl = pick("baseUrl", "env", sources);
  const baseUrl =
    configUrl !== undefined
      ? normalizeBaseUrl(configUrl, `config \`${SETTING_SOURCES.baseUrl.config}\``)
      : envUrl !== undefined
        ? normalizeBaseUrl(envUrl, `env ${SETTING_SOURCES.baseUrl.env[0]}`)
        : DEFAULT_BASE_URL;

  const credentials = credentialsFrom("config", sources) ?? credentialsFrom("env", sources);
  if (!credentials) {
    throw new AtlasConfigurationError(
      "No Atlas credentials found. Set a service account (" +
        `${describe("clientId")} and ${describe("clientSecret")}) or an API key pair ` +
        `(${describe("publicKey")} and ${describe("privateKey")}). ` +
        "Mark secrets with `pulumi config set --secret`.",
      keysOf("clientId", "clientSecret", "publicKey", "privateKey"),
    );
  }
  const proxy = resolveProxy(baseUrl, sources.env ?? {});
  return proxy ? { baseUrl, credentials, proxy } : { baseUrl, credentials };
}

/**
 * Reads and validates the `atlasInvitations:*` retry keys (whole numbers: Pulumi config values
 * arrive as strings).
 * @throws AtlasConfigurationError naming the key and its valid range
 */
export function resolveRetryOverrides(config: StringMap): RetryOverrides {
  const overrides: Record<string, number> = {};
  for (const { key, option, min, max } of Object.values(TUNING_KEYS)) {
    const raw = config[key]?.trim();
    if (raw === undefined || raw === "") continue;
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!(value >= min && value <= max)) {
      throw new AtlasConfigurationError(
        `Pulumi config \`${key}\` must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw.slice(0, 40))}). ` +
          `Fix it with \`pulumi config set ${key} <number>\`, or remove it to keep the default.`,
        [key],
      );
    }
    overrides[option] = value;
  }
  // A deadline shorter than the request timeout is allowed: each attempt waits at most what is
  // left of the deadline (request-loop.ts), so the deadline still bounds the operation.
  return overrides;
}

/**
 * Reads `atlasInvitations:api`.
 * @throws AtlasConfigurationError naming the key and its values
 */
export function resolveApi(config: StringMap): InvitationApi {
  const raw = config[API_KEY]?.trim();
  if (raw === undefined || raw === "") return "auto";
  const api = INVITATION_APIS.find((a) => a === raw);
  if (!api) {
    throw new AtlasConfigurationError(
      `Pulumi config \`${API_KEY}\` must be one of ${INVITATION_APIS.map((a) => `"${a}"`).join(", ")} ` +
        `(got ${JSON.stringify(raw.slice(0, 40))}): "auto" (the default) uses the invites API while Atlas serves it ` +
        `and moves to the org users API when it is gone; "invites" and "users" choose one.`,
      [API_KEY],
    );
  }
  return api;
}

/**
 * Reads `ATLAS_INVITATIONS_ON_ACCEPTED`: `retain`, or unset (each resource's own `onAccepted`).
 * `fail` is refused rather than read as "fail everywhere": a setting that overrode a resource's
 * `retain` could turn a teardown that is meant to succeed into a refusal.
 * @throws AtlasConfigurationError naming the variable and its one value
 */
export function resolveRetainAccepted(env: StringMap): boolean {
  const raw = env[ON_ACCEPTED_ENV]?.trim();
  if (raw === undefined || raw === "") return false;
  if (raw === "retain") return true;
  throw new AtlasConfigurationError(
    `The environment variable ${ON_ACCEPTED_ENV} takes one value, "retain" (got ${JSON.stringify(raw.slice(0, 40))}): ` +
      `it makes every delete of the command leave accepted members in place. Unset it to let each ` +
      `resource's \`onAccepted\` decide.`,
    [ON_ACCEPTED_ENV],
  );
}

/**
 * Everything at once, as the provider needs it for one call.
 * @throws AtlasConfigurationError naming the keys to set or fix
 */
export function resolveSettings(sources: SettingsSources): ProviderSettings {
  const config = sources.config ?? {};
  return {
    atlas: resolveAtlasSettings(sources),
    retry: resolveRetryOverrides(config),
    api: resolveApi(config),
    retainAccepted: resolveRetainAccepted(sources.env ?? {}),
  };
}
