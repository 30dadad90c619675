/**
 * The one place that reads Pulumi config and environment variables, and turns them into typed
 * settings, validated once: Atlas credentials and base URL, the proxy from the standard proxy
 * variables, the retry budget, the backend, and the accepted-invitation override. Which key and
 * variable each setting has, its range and its secrecy live in one table (settings-table.ts); every
 * message is worded from it for its audience: Pulumi users (config first, then the environment)
 * or the `generate` CLI (the environment only). Nothing else in the package reads `process.env` or
 * Pulumi config.
 */
import { isIP } from "node:net";
import { getProxyForUrl } from "proxy-from-env";
import { AtlasConfigurationError } from "./atlas/errors";
import { resolveRetryPolicy } from "./atlas/retry";
import type { RetryOverrides, RetryPolicy } from "./atlas/retry";
import { Secret } from "./atlas/secret";
import { DEFAULT_BASE_URL } from "./atlas/settings";
import type { AtlasCredentials, AtlasSettings, ProxySettings } from "./atlas/settings";
import { SETTINGS, configKeyOf, howToSet, sourceOf, variableOf } from "./settings-table";
import type { Audience, SettingName } from "./settings-table";

export { DEFAULT_BASE_URL } from "./atlas/settings";
export { CONFIG_KEYS, SETTINGS, configKeys } from "./settings-table";
export type { Audience, SettingName } from "./settings-table";

export type StringMap = Readonly<Record<string, string | undefined>>;

/** Which Atlas API carries the invitations (README, "Life after the sunset"). */
export type InvitationApi = "auto" | "invites" | "users";
export const INVITATION_APIS: readonly InvitationApi[] = ["auto", "invites", "users"];

/** The tuning settings, and the retry policy field each one sets. */
const TUNING: readonly { name: SettingName; option: keyof RetryOverrides }[] = [
  { name: "maxRetries", option: "limit" },
  { name: "requestTimeoutMs", option: "attemptTimeoutMs" },
  { name: "deadlineMs", option: "deadlineMs" },
];

export interface SettingsSources {
  /**
   * Pulumi config with namespaced keys, as the audience's provider gets it: the dynamic
   * provider's (`mongodbatlas:publicKey`), or the plugin's (`atlasorginvitations:publicKey`).
   */
  config?: StringMap | undefined;
  /** Environment variables; `process.env` at the edge, a plain map in tests. */
  env?: StringMap | undefined;
  /**
   * Whom messages address, and which config keys are read: `pulumi` (the default) names the
   * dynamic provider's config keys and `pulumi config set`; `plugin` the plugin's
   * (`atlasorginvitations:*`); `cli` names environment variables only, as the `generate` CLI
   * reads no Pulumi config.
   */
  audience?: Audience | undefined;
}

/** Everything the provider needs, resolved and validated once. */
export interface ProviderSettings {
  atlas: AtlasSettings;
  /** The retry policy: the defaults with `maxRetries`, `requestTimeoutMs` and `deadlineMs` applied. */
  retry: RetryPolicy;
  api: InvitationApi;
  /** `ATLAS_INVITATIONS_ON_ACCEPTED=retain`: every delete leaves accepted members in place. */
  retainAccepted: boolean;
}

const audienceOf = (sources: SettingsSources): Audience => sources.audience ?? "pulumi";

/** Said to a CLI user after a credentials problem: the command reads no Pulumi config. */
export const ENVIRONMENT_ONLY =
  "`generate` reads its credentials from the environment only, not from Pulumi config: " +
  "export them in the shell that runs it.";

/** The keys a message about `names` asks to set: config keys (Pulumi users) and variables. */
function keysOf(audience: Audience, ...names: SettingName[]): string[] {
  return names.flatMap((n) => {
    const config = configKeyOf(n, audience);
    return audience !== "cli" && config !== undefined ? [config, variableOf(n)] : [variableOf(n)];
  });
}

/** One setting's raw value and where it came from: config first (Pulumi users), then the environment. */
interface Found {
  value: string;
  /** As a message names it: "config `k`" or "env V" (Pulumi users), "V" (CLI users). */
  from: string;
}

/** Reads one setting from one source; blank strings count as unset. */
function pick(
  name: SettingName,
  source: "config" | "env",
  sources: SettingsSources,
): Found | undefined {
  const spec = SETTINGS[name];
  const map = source === "config" ? sources.config : sources.env;
  const config = configKeyOf(name, audienceOf(sources));
  const keys = source === "config" ? (config !== undefined ? [config] : []) : spec.env;
  if (!map) return undefined;
  for (const key of keys) {
    const value = map[key]?.trim();
    if (value) {
      const from =
        source === "config"
          ? `config \`${key}\``
          : audienceOf(sources) === "cli"
            ? key
            : `env ${key}`;
      return { value, from };
    }
  }
  return undefined;
}

/** A setting from config, else from the environment (the CLI passes no config). */
function find(name: SettingName, sources: SettingsSources): Found | undefined {
  return pick(name, "config", sources) ?? pick(name, "env", sources);
}

function credentialsFrom(
  source: "config" | "env",
  sources: SettingsSources,
): AtlasCredentials | undefined {
  const publicKey = pick("publicKey", source, sources)?.value;
  const privateKey = pick("privateKey", source, sources)?.value;
  const clientId = pick("clientId", source, sources)?.value;
  const clientSecret = pick("clientSecret", source, sources)?.value;

  const audience = audienceOf(sources);
  const where =
    audience === "cli"
      ? "the environment"
      : source === "config"
        ? "Pulumi config"
        : "the environment";
  // Only the half-set source's own keys: naming the other source would suggest the two combine.
  const named = (name: SettingName): string =>
    source === "config"
      ? `config \`${configKeyOf(name, audience) ?? ""}\``
      : audience === "cli"
        ? variableOf(name)
        : `env ${variableOf(name)}`;
  const halfSet = (kind: string, missing: SettingName, present: SettingName) =>
    new AtlasConfigurationError(
      `Atlas ${kind} credentials are half set in ${where}: set ${named(missing)} as well, or ` +
        `unset ${named(present)}.` +
        (audience !== "cli"
          ? " Credentials come whole from one source (Pulumi config first, else the environment) and are " +
            "never combined across the two."
          : ` ${ENVIRONMENT_ONLY}`),
      [source === "config" ? (configKeyOf(missing, audience) ?? "") : variableOf(missing)],
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
 * @param origin - where the URL came from, as the message names it
 * @param audience - whom the message addresses (settings-table.ts)
 * @throws AtlasConfigurationError naming where the URL came from and how to fix it
 */
export function normalizeBaseUrl(
  raw: string,
  origin: string = sourceOf("baseUrl", "pulumi"),
  audience: Audience = "pulumi",
): string {
  const keys = keysOf(audience, "baseUrl");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AtlasConfigurationError(
      `The Atlas base URL from ${origin} is not a valid URL: "${printableUrl(raw)}". ` +
        `Use an origin such as ${DEFAULT_BASE_URL}.`,
      keys,
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new AtlasConfigurationError(
      `The Atlas base URL from ${origin} must use https:// (got ${url.protocol}//).`,
      keys,
    );
  }
  if (url.protocol === "http:" && !isLoopback(url.hostname)) {
    throw new AtlasConfigurationError(
      `The Atlas base URL from ${origin} uses plain http:// for ${url.hostname}; ` +
        `credentials would travel unencrypted. Use https://, or a loopback host (127.0.0.1, ::1, localhost) for a local emulator.`,
      keys,
    );
  }
  if (url.username || url.password) {
    throw new AtlasConfigurationError(
      `The Atlas base URL from ${origin} must not embed credentials; ` +
        `set ${sourceOf("publicKey", audience)} and ${sourceOf("privateKey", audience)} instead.`,
      keys,
    );
  }
  if (url.search || url.hash || (url.pathname !== "/" && url.pathname !== "")) {
    throw new AtlasConfigurationError(
      `The Atlas base URL from ${origin} must be an origin without path, query or fragment ` +
        `(for example ${DEFAULT_BASE_URL}); got "${printableUrl(raw)}".`,
      keys,
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
 * @throws AtlasConfigurationError naming the keys to set or fix, in the audience's terms
 */
export function resolveAtlasSettings(sources: SettingsSources): AtlasSettings {
  const audience = audienceOf(sources);
  const url = find("baseUrl", sources);
  const baseUrl = url ? normalizeBaseUrl(url.value, url.from, audience) : DEFAULT_BASE_URL;

  const credentials = credentialsFrom("config", sources) ?? credentialsFrom("env", sources);
  if (!credentials) {
    const name = (n: SettingName): string => sourceOf(n, audience);
    throw new AtlasConfigurationError(
      "No Atlas credentials found. Set a service account (" +
        `${name("clientId")} and ${name("clientSecret")}) or an API key pair ` +
        `(${name("publicKey")} and ${name("privateKey")}).` +
        (audience !== "cli"
          ? " Mark secrets with `pulumi config set --secret`."
          : ` ${ENVIRONMENT_ONLY}`),
      keysOf(audience, "clientId", "clientSecret", "publicKey", "privateKey"),
    );
  }
  const proxy = resolveProxy(baseUrl, sources.env ?? {});
  return proxy ? { baseUrl, credentials, proxy } : { baseUrl, credentials };
}

/**
 * Reads and validates `maxRetries`, `requestTimeoutMs` and `deadlineMs` (whole numbers: config
 * values and variables arrive as strings), config first, then the environment.
 * @returns the retry policy fields they set; unset settings keep the defaults
 * @throws AtlasConfigurationError naming the setting, its valid range and how to fix it
 */
export function resolveRetryOverrides(sources: SettingsSources): RetryOverrides {
  const audience = audienceOf(sources);
  const overrides: Record<string, number> = {};
  for (const { name, option } of TUNING) {
    const found = find(name, sources);
    if (found === undefined) continue;
    const { min, max } = SETTINGS[name].range ?? { min: 0, max: Number.MAX_SAFE_INTEGER };
    const value = /^\d+$/.test(found.value) ? Number(found.value) : NaN;
    if (!(value >= min && value <= max)) {
      throw new AtlasConfigurationError(
        `${found.from} (${name}) must be a whole number from ${min} to ${max} ` +
          `(got ${JSON.stringify(found.value.slice(0, 40))}). Fix it with ${howToSet(name, audience)}, ` +
          "or unset it to keep the default.",
        keysOf(audience, name),
      );
    }
    overrides[option] = value;
  }
  // A deadline shorter than the request timeout is allowed: each attempt waits at most what is
  // left of the deadline (request-loop.ts), so the deadline still bounds the operation.
  return overrides;
}

/**
 * Reads `api` (`atlasInvitations:api`, or the plugin's `atlasorginvitations:api`, then
 * ATLAS_INVITATIONS_API).
 * @throws AtlasConfigurationError naming the setting and its values
 */
export function resolveApi(sources: SettingsSources): InvitationApi {
  const found = find("api", sources);
  if (found === undefined) return "auto";
  const api = INVITATION_APIS.find((a) => a === found.value);
  if (!api) {
    throw new AtlasConfigurationError(
      `${found.from} (api) must be one of ${INVITATION_APIS.map((a) => `"${a}"`).join(", ")} ` +
        `(got ${JSON.stringify(found.value.slice(0, 40))}): "auto" (the default) uses the invites API while Atlas serves it ` +
        `and moves to the org users API when it is gone; "invites" and "users" choose one.`,
      keysOf(audienceOf(sources), "api"),
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
  const variable = variableOf("onAccepted");
  const raw = env[variable]?.trim();
  if (raw === undefined || raw === "") return false;
  if (raw === "retain") return true;
  throw new AtlasConfigurationError(
    `The environment variable ${variable} takes one value, "retain" (got ${JSON.stringify(raw.slice(0, 40))}): ` +
      `it makes every delete of the command leave accepted members in place. Unset it to let each ` +
      `resource's \`onAccepted\` decide.`,
    [variable],
  );
}

/**
 * The settings that come from configuration alone, as `configure` validates them: the retry
 * policy and the API.
 * @throws AtlasConfigurationError naming the setting to fix
 */
export function resolveTuning(sources: SettingsSources): Pick<ProviderSettings, "retry" | "api"> {
  return { retry: resolveRetryPolicy(resolveRetryOverrides(sources)), api: resolveApi(sources) };
}

/**
 * Everything at once, validated once, as the provider needs it.
 * @throws AtlasConfigurationError naming the keys to set or fix
 */
export function resolveSettings(sources: SettingsSources): ProviderSettings {
  return {
    atlas: resolveAtlasSettings(sources),
    ...resolveTuning(sources),
    retainAccepted: resolveRetainAccepted(sources.env ?? {}),
  };
}
