/**
 * The one place that turns Pulumi config and environment variables into typed settings. Nothing
 * below this module reads `process.env`. Names follow the official Atlas providers (Terraform and
 * `@pulumi/mongodbatlas`) so users keep the config they already have.
 */
import { isIP } from "node:net";
import { AtlasConfigurationError } from "./errors";
import { Secret } from "./secret";

export const DEFAULT_BASE_URL = "https://cloud.mongodb.com";

export interface DigestCredentials {
  kind: "digest";
  publicKey: string;
  privateKey: Secret;
}

export interface ServiceAccountCredentials {
  kind: "serviceAccount";
  clientId: string;
  clientSecret: Secret;
}

export type AtlasCredentials = DigestCredentials | ServiceAccountCredentials;

export interface AtlasSettings {
  /** Origin of the Atlas Admin API, without a trailing slash. */
  baseUrl: string;
  credentials: AtlasCredentials;
}

type SettingName = "baseUrl" | "publicKey" | "privateKey" | "clientId" | "clientSecret";

/** Pulumi config key and environment variables (first wins) for each setting. */
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

export type StringMap = Readonly<Record<string, string | undefined>>;

export interface SettingsSources {
  /** Pulumi stack config with namespaced keys (`mongodbatlas:publicKey`), as `configure` gets it. */
  config?: StringMap | undefined;
  /** Environment variables; pass `process.env` at the edge, never read it deeper down. */
  env?: StringMap | undefined;
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
  const candidates = source === "config" ? [s.config] : s.env;
  for (const key of candidates) {
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
  if ((clientId === undefined) !== (clientSecret === undefined)) {
    const missing: SettingName = clientId === undefined ? "clientId" : "clientSecret";
    throw new AtlasConfigurationError(
      `Atlas service account credentials are half set in ${where}: set ${describe(missing)} ` +
        `as well, or unset ${describe(missing === "clientId" ? "clientSecret" : "clientId")}.`,
      keysOf(missing),
    );
  }
  if ((publicKey === undefined) !== (privateKey === undefined)) {
    const missing: SettingName = publicKey === undefined ? "publicKey" : "privateKey";
    throw new AtlasConfigurationError(
      `Atlas API key credentials are half set in ${where}: set ${describe(missing)} ` +
        `as well, or unset ${describe(missing === "publicKey" ? "privateKey" : "publicKey")}.`,
      keysOf(missing),
    );
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

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  if (isIP(host) === 6) return host === "::1";
  return false;
}

/**
 * Validates and normalizes a base URL. Plain `http://` is refused unless the host is loopback:
 * Digest and Bearer credentials must not cross a network in clear text.
 */
export function normalizeBaseUrl(raw: string, origin: string = describe("baseUrl")): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AtlasConfigurationError(
      `The Atlas base URL from ${origin} is not a valid URL: "${raw}". ` +
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
        `(for example ${DEFAULT_BASE_URL}); got "${raw}".`,
      keysOf("baseUrl"),
    );
  }
  return url.origin;
}

/**
 * Resolves settings: Pulumi config first, then environment variables. Credentials come whole from
 * one source (never a public key from config paired with a private key from the environment).
 */
export function resolveSettings(sources: SettingsSources): AtlasSettings {
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
  return { baseUrl, credentials };
}
