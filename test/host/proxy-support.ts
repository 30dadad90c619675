/**
 * For test/host/proxy.test.ts: the provider behind a corporate HTTPS proxy, trusting a private CA,
 * through the SDK's real host. `NODE_EXTRA_CA_CERTS` is read only when Node starts, so every
 * setting here reaches the host CHILD process through its environment (`startHost({ env })`),
 * never this process's.
 *
 * Every host started here also loads test/support/loopback-dns.js (`NODE_OPTIONS=--require`): all
 * host names resolve to 127.0.0.1 and no DNS server is ever asked, so the provider's default base
 * URL, https://cloud.mongodb.com, can only ever reach loopback.
 */
import { once } from "node:events";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Exchange, RunningEmulator } from "../../emulator";
import { HostError, REPO_ROOT, startConfiguredHost } from "../../host-harness";
import type { Consumer, HostClient, Props, Registration } from "../../host-harness";
import { startConnectProxy } from "../support/connect-proxy";
import type { ConnectProxy, ConnectProxyOptions } from "../support/connect-proxy";
import { startTestEmulator } from "../support/emulator";
import type { TestEmulator, TestEmulatorOptions } from "../support/emulator";
import { authConfig } from "./helpers";
import type { Strategy } from "./helpers";

/** The provider's default Atlas host (its base URL is https://cloud.mongodb.com). */
export const ATLAS_HOST = "cloud.mongodb.com";

/** The preload that maps every host name to loopback; an absolute path, as NODE_OPTIONS needs. */
export const LOOPBACK_DNS_PRELOAD = join(REPO_ROOT, "test", "support", "loopback-dns.js");
/** The line the preload writes to stderr when it is loaded. */
export const LOOPBACK_DNS_ANNOUNCEMENT =
  "loopback-dns: every host name resolves to 127.0.0.1 in this process";

/**
 * Every variable proxy-from-env reads (it takes the lower-case spelling first), blanked, so a
 * proxy set on the machine running the tests never reaches the host; blank counts as unset.
 */
const PROXY_VARIABLES = [
  "https_proxy",
  "HTTPS_PROXY",
  "http_proxy",
  "HTTP_PROXY",
  "all_proxy",
  "ALL_PROXY",
  "no_proxy",
  "NO_PROXY",
] as const;

export interface ProxiedEnvOptions {
  /** HTTPS_PROXY, credentials included if any; unset when absent. */
  httpsProxy?: string;
  /** NO_PROXY; unset when absent. */
  noProxy?: string;
  /** NODE_EXTRA_CA_CERTS: the PEM file of the CA the host must trust. */
  caFile: string;
}

/** The host's environment: the proxy variables, the extra CA, and the loopback DNS preload. */
export function proxiedEnv(options: ProxiedEnvOptions): Record<string, string> {
  if (/["\s]/.test(LOOPBACK_DNS_PRELOAD))
    throw new Error(`cannot pass ${LOOPBACK_DNS_PRELOAD} in NODE_OPTIONS: it has a space or quote`);
  const env: Record<string, string> = Object.fromEntries(PROXY_VARIABLES.map((v) => [v, ""]));
  if (options.httpsProxy !== undefined) env["HTTPS_PROXY"] = options.httpsProxy;
  if (options.noProxy !== undefined) env["NO_PROXY"] = options.noProxy;
  return {
    ...env,
    NODE_EXTRA_CA_CERTS: options.caFile,
    NODE_OPTIONS: `--require ${LOOPBACK_DNS_PRELOAD}`,
  };
}

/** Small retry settings, so a refused operation ends after its retries in a second or two. */
export const QUICK_RETRIES = {
  "atlasInvitations:maxRetries": "2",
  "atlasInvitations:requestTimeoutMs": "5000",
  "atlasInvitations:deadlineMs": "20000",
} as const;

/**
 * Stack config with the strategy's credentials and NO `mongodbatlas:baseUrl` (so the provider
 * uses https://cloud.mongodb.com), plus `extra`.
 */
export function proxiedConfig(
  emulator: Pick<RunningEmulator, "baseUrl" | "credentials">,
  strategy: Strategy,
  extra: Record<string, string> = {},
): { config: Record<string, string>; secretKeys: string[] } {
  const { config, secretKeys } = authConfig(emulator, strategy);
  const credentials = Object.fromEntries(
    Object.entries(config).filter(([key]) => key !== "mongodbatlas:baseUrl"),
  );
  return { config: { ...credentials, ...extra }, secretKeys };
}

export interface ProxiedHostOptions extends ProxiedEnvOptions {
  strategy: Strategy;
  /** Added to the stack config (say `mongodbatlas:baseUrl`, or QUICK_RETRIES). */
  config?: Record<string, string>;
}

/** A configured host behind the proxy, with the extra CA and the loopback DNS preload. */
export function startProxiedHost(
  consumer: Consumer,
  emulator: Pick<RunningEmulator, "baseUrl" | "credentials">,
  options: ProxiedHostOptions,
): Promise<HostClient> {
  const { strategy, config: extra, ...env } = options;
  const { config, secretKeys } = proxiedConfig(emulator, strategy, extra);
  return startConfiguredHost(consumer, { config, secretKeys, env: proxiedEnv(env) });
}

/** The emulator's port, from its base URL (`https://127.0.0.1:PORT`). */
export function portOf(emulator: Pick<RunningEmulator, "baseUrl">): number {
  return Number(new URL(emulator.baseUrl).port);
}

/** A loopback port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, "close");
  return port;
}

/** A resource to declare: the template's serialized inputs with a fresh name and username. */
export function declare(
  template: Registration,
  name: string,
  args: Props = {},
): { urn: string; inputs: Props } {
  return {
    urn: `urn:pulumi:dev::host-harness::${template.type}::${name}`,
    inputs: { ...template.inputs, username: `${name}@example.com`, ...args },
  };
}

/** The HostError a call failed with; throws when it succeeded or failed otherwise. */
export async function hostFailure(call: Promise<unknown>): Promise<HostError> {
  const outcome = await call.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof HostError))
    throw new Error(`expected the host to refuse the call, got ${String(outcome)}`);
  return outcome;
}

/** The forms a secret can take in text: as is, percent-encoded, and inside Basic credentials. */
export function secretForms(secret: string, username?: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret)]);
  if (username !== undefined) {
    forms.add(Buffer.from(`${username}:${secret}`).toString("base64"));
    forms.add(
      Buffer.from(`${encodeURIComponent(username)}:${encodeURIComponent(secret)}`).toString(
        "base64",
      ),
    );
  }
  return [...forms];
}

/** Fails naming where a secret, in any of its forms, appeared. */
export function expectNoSecret(
  places: Record<string, string>,
  secrets: readonly string[],
  username?: string,
): void {
  const found: string[] = [];
  for (const [where, text] of Object.entries(places)) {
    for (const secret of secrets) {
      if (secretForms(secret, username).some((form) => text.includes(form))) found.push(where);
    }
  }
  expect(found).toEqual([]);
}

export const PROXY_USER = "proxy-user";
/** Needs percent-encoding in a URL (`+`, `/`, `@`), so decoding is exercised too. */
export const PROXY_PASSWORD_SENTINEL = "SENTINEL+proxy/pass@5e1d";

/** `http://user:password@127.0.0.1:PORT`, percent-encoded as a user writes it in HTTPS_PROXY. */
export const proxyUrlWith = (port: number, password: string): string =>
  `http://${encodeURIComponent(PROXY_USER)}:${encodeURIComponent(password)}@127.0.0.1:${port}`;

/** A TLS emulator whose every exchange's Host header is kept. */
export async function startTlsEmulator(
  options: TestEmulatorOptions = {},
): Promise<{ emulator: TestEmulator; hostHeaders: string[]; caFile: string }> {
  const hostHeaders: string[] = [];
  const emulator = await startTestEmulator({
    ...options,
    tls: true,
    onExchange: (e: Exchange) => void hostHeaders.push(e.requestHeaders["host"] ?? ""),
  });
  const caFile = emulator.tls?.caFile;
  if (!caFile) throw new Error("the TLS emulator wrote no CA file");
  return { emulator, hostHeaders, caFile };
}

/** A CONNECT proxy whose every tunnel leads to the emulator, whatever authority it names. */
export const tunnelTo = (
  emulator: TestEmulator,
  rest: Omit<ConnectProxyOptions, "target"> = {},
): Promise<ConnectProxy> =>
  startConnectProxy({ target: { host: "127.0.0.1", port: portOf(emulator) }, ...rest });
