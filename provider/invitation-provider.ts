/**
 * `OrgInvitationProvider`: the `pulumi.dynamic.ResourceProvider` behind `OrgInvitation`,
 * following `@pulumi/pulumi/dynamic` exactly. Credentials are read at call time (Pulumi config
 * from `configure`, then `MONGODB_ATLAS_*`), never captured, so nothing secret is serialized.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { AtlasApi } from "./atlas/api";
import { getSharedAtlasClient } from "./atlas/client";
import { AtlasConfigurationError } from "./atlas/errors";
import type { RetryOverrides } from "./atlas/retry";
import {
  SETTING_SOURCES,
  resolveSettings,
  type AtlasSettings,
  type StringMap,
} from "./atlas/settings";
import { diffInvitation } from "./diff";
import {
  createInvitation,
  deleteInvitation,
  readInvitation,
  updateInvitation,
  type LifecycleContext,
} from "./lifecycle";
import { consoleLogger, type ProviderLogger } from "./log";
import type { OrgInvitationOutputs } from "./model";
import { declaredFrom } from "./outputs";
import { normalizeInputs, validateInputs } from "./validate";

export interface OrgInvitationProviderOptions {
  /**
   * Where `MONGODB_ATLAS_*` variables are read from.
   * @default process.env, read at each call
   */
  env?: StringMap;
  /**
   * Builds the API client for resolved settings and the retry overrides from Pulumi config.
   * @default one shared client per settings in the process (shared digest challenge, token cache)
   */
  createApi?: (settings: AtlasSettings, retry: RetryOverrides) => AtlasApi;
  /** @default warnings and notes on stderr */
  logger?: ProviderLogger;
}

type Props = Record<string, unknown>;

/**
 * Pulumi config keys that override the retry policy (provider/atlas/retry.ts); unset keeps the
 * default. Whole numbers only: Pulumi config values arrive as strings.
 */
export const RETRY_CONFIG_KEYS = {
  maxRetries: { key: "atlasInvitations:maxRetries", option: "limit", min: 0, max: 100 },
  requestTimeoutMs: {
    key: "atlasInvitations:requestTimeoutMs",
    option: "attemptTimeoutMs",
    min: 1,
    max: 3_600_000,
  },
  deadlineMs: { key: "atlasInvitations:deadlineMs", option: "deadlineMs", min: 1, max: 86_400_000 },
} as const;

/** Reads and validates the retry keys; throws naming the key and the accepted values. */
export function retryOverridesFromConfig(get: (key: string) => string | undefined): RetryOverrides {
  const overrides: RetryOverrides = {};
  for (const { key, option, min, max } of Object.values(RETRY_CONFIG_KEYS)) {
    const raw = get(key)?.trim();
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
  const timeout = overrides.attemptTimeoutMs;
  const deadline = overrides.deadlineMs;
  if (timeout !== undefined && deadline !== undefined && deadline < timeout) {
    throw new AtlasConfigurationError(
      `Pulumi config \`${RETRY_CONFIG_KEYS.deadlineMs.key}\` (${deadline}) is shorter than ` +
        `\`${RETRY_CONFIG_KEYS.requestTimeoutMs.key}\` (${timeout}): the deadline bounds every attempt and wait of a call, so make it at least the request timeout.`,
      [RETRY_CONFIG_KEYS.deadlineMs.key, RETRY_CONFIG_KEYS.requestTimeoutMs.key],
    );
  }
  return overrides;
}

/** State as the engine hands it over: typed outputs plus engine keys such as `__provider`. */
const asProps = (outputs: OrgInvitationOutputs | Record<string, never>): Props =>
  outputs as unknown as Props;

export class OrgInvitationProvider implements dynamic.ResourceProvider<
  Props,
  OrgInvitationOutputs
> {
  // A private field: config holds secrets, which must not show in JSON.stringify or inspect.
  #config: Record<string, string | undefined> = {};
  private retry: RetryOverrides = {};
  private readonly options: OrgInvitationProviderOptions;

  constructor(options: OrgInvitationProviderOptions = {}) {
    this.options = options;
  }

  /** Keeps the `mongodbatlas:*` keys users already set for the official Atlas provider. */
  async configure(req: dynamic.ConfigureRequest): Promise<void> {
    const config: Record<string, string | undefined> = {};
    for (const { config: key } of Object.values(SETTING_SOURCES)) config[key] = req.config.get(key);
    this.retry = retryOverridesFromConfig((key) => req.config.get(key));
    this.#config = config;
  }

  /** Settings for this call; throws a configuration error naming the keys to set. */
  settings(): AtlasSettings {
    return resolveSettings({ config: this.#config, env: this.options.env ?? process.env });
  }

  private context(): LifecycleContext {
    const settings = this.settings();
    const logger = this.options.logger ?? consoleLogger;
    // Retry and pacing waits go to the same logger: users see them on long runs.
    const api = this.options.createApi
      ? this.options.createApi(settings, this.retry)
      : getSharedAtlasClient(settings, { retry: this.retry, logger });
    return { api, logger };
  }

  async check(_olds: Props, news: Props): Promise<dynamic.CheckResult<Props>> {
    const failures = validateInputs(news);
    if (failures.length > 0) return { inputs: news, failures };
    // Missing or half-set credentials are reported at preview time, before any HTTP call.
    this.settings();
    return { inputs: normalizeInputs(news) };
  }

  async diff(_id: string, olds: OrgInvitationOutputs, news: Props): Promise<dynamic.DiffResult> {
    return diffInvitation(asProps(olds), news);
  }

  async create(inputs: Props): Promise<dynamic.CreateResult<OrgInvitationOutputs>> {
    return createInvitation(this.context(), declaredFrom(inputs));
  }

  async read(
    id: string,
    props?: OrgInvitationOutputs,
  ): Promise<dynamic.ReadResult<OrgInvitationOutputs>> {
    return readInvitation(this.context(), id, asProps(props ?? {}));
  }

  async update(
    id: string,
    olds: OrgInvitationOutputs,
    news: Props,
  ): Promise<dynamic.UpdateResult<OrgInvitationOutputs>> {
    return { outs: await updateInvitation(this.context(), id, asProps(olds), declaredFrom(news)) };
  }

  async delete(id: string, props: OrgInvitationOutputs): Promise<void> {
    await deleteInvitation(this.context(), id, asProps(props));
  }
}
