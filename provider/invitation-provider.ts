/**
 * `OrgInvitationProvider`: the `pulumi.dynamic.ResourceProvider` behind `OrgInvitation`,
 * following `@pulumi/pulumi/dynamic` exactly. Credentials are read at call time (Pulumi config
 * from `configure`, then `MONGODB_ATLAS_*`), never captured, so nothing secret is serialized.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { AtlasApi } from "./atlas/api";
import { getSharedAtlasClient } from "./atlas/client";
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
   * Builds the API client for resolved settings.
   * @default one shared client per settings in the process (shared digest challenge, token cache)
   */
  createApi?: (settings: AtlasSettings) => AtlasApi;
  /** @default warnings and notes on stderr */
  logger?: ProviderLogger;
}

type Props = Record<string, unknown>;

/** State as the engine hands it over: typed outputs plus engine keys such as `__provider`. */
const asProps = (outputs: OrgInvitationOutputs | Record<string, never>): Props =>
  outputs as unknown as Props;

export class OrgInvitationProvider implements dynamic.ResourceProvider<
  Props,
  OrgInvitationOutputs
> {
  private config: Record<string, string | undefined> = {};
  private readonly options: OrgInvitationProviderOptions;

  constructor(options: OrgInvitationProviderOptions = {}) {
    this.options = options;
  }

  /** Keeps the `mongodbatlas:*` keys users already set for the official Atlas provider. */
  async configure(req: dynamic.ConfigureRequest): Promise<void> {
    const config: Record<string, string | undefined> = {};
    for (const { config: key } of Object.values(SETTING_SOURCES)) config[key] = req.config.get(key);
    this.config = config;
  }

  /** Settings for this call; throws a configuration error naming the keys to set. */
  settings(): AtlasSettings {
    return resolveSettings({ config: this.config, env: this.options.env ?? process.env });
  }

  private context(): LifecycleContext {
    const settings = this.settings();
    const api = (this.options.createApi ?? getSharedAtlasClient)(settings);
    return { api, logger: this.options.logger ?? consoleLogger };
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
