/**
 * The resource provider plugin `pulumi-resource-atlasorginvitations` (issue 21): the
 * `@pulumi/pulumi/provider` `Provider` of the resource `atlasorginvitations:index:OrgInvitation`,
 * over the very `OrgInvitationProvider` the dynamic provider runs (provider.ts): one check, diff,
 * create, read, update and delete, one refusal to cancel an accepted invitation, one set of
 * backends, pacing and budget. This adapter only translates: URNs are dropped (the lifecycle is
 * per person, not per URN), the configuration comes from the plugin's own config keys
 * (`atlasorginvitations:*`, plugin-config.ts), and a read with an id and no state is an import.
 *
 * The plugin's state holds exactly the dynamic resource's outputs (model.ts
 * `OrgInvitationOutputs`) without `__provider`: no credential is ever an input or an output.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type * as provider from "@pulumi/pulumi/provider";
import type { AtlasClient } from "../atlas/api";
import type { Clock } from "../atlas/budget";
import type { RetryPolicy } from "../atlas/retry";
import type { AtlasSettings } from "../atlas/settings";
import type { Logger } from "../log";
import { PROVIDER_KEY } from "../model";
import { OrgInvitationProvider } from "../provider";
import type { ClientHooks } from "../provider";
import type { Props } from "../property-codec";
import type { StringMap } from "../settings";
import { PLUGIN_CONFIG_NAMESPACE } from "../settings-table";
import { PACKAGE_VERSION } from "../version";
import { engineLogger, forResource } from "./engine-log";
import { configFromConfigure, configFromEnvironment } from "./plugin-config";
import type { ConfigureArgs } from "./plugin-config";

/**
 * Where the schema is looked for, first found wins: beside the compiled plugin (a package that
 * copies it into `dist/plugin/`), then `schema/schema.json` of the package root (`dist/plugin/` and
 * `provider/plugin/` are both two levels below it).
 */
export const SCHEMA_CANDIDATES: readonly string[] = [
  path.join(__dirname, "schema.json"),
  path.join(__dirname, "..", "..", "schema", "schema.json"),
];

/** Options of the plugin's provider, for tests; the plugin itself needs none. */
export interface OrgInvitationPluginOptions {
  /**
   * Where `PULUMI_CONFIG`, `MONGODB_ATLAS_*`, `ATLAS_INVITATIONS_*` and proxy variables are read.
   * @default process.env
   */
  env?: StringMap | undefined;
  /** @default the engine, through the SDK's log (engine-log.ts) */
  logger?: Logger | undefined;
  /** @default SCHEMA_CANDIDATES */
  schemaPaths?: readonly string[] | undefined;
  /** As `OrgInvitationProviderOptions.createClient`. */
  createClient?:
    ((settings: AtlasSettings, retry: RetryPolicy, hooks: ClientHooks) => AtlasClient) | undefined;
  /** @default real time */
  clock?: Clock | undefined;
}

/** Whether the engine sent no state: a read of an id alone, which is `pulumi import`. */
function isImport(props: Props | undefined): boolean {
  return props === undefined || Object.keys(props).length === 0;
}

/** A property bag without `__provider` (the dynamic provider's; never in the plugin's state). */
function withoutProviderKey(props: Props): Props {
  const { [PROVIDER_KEY]: _dropped, ...rest } = props;
  return rest;
}

/**
 * The plugin's `Provider`. Configuration: the Configure RPC's arguments when the engine sent
 * them (a default provider's stack config, or an explicit provider's arguments), else the stack
 * config in `PULUMI_CONFIG`; then, for what config leaves unset, the environment, with
 * credentials whole from one source (settings.ts).
 */
export class OrgInvitationPlugin implements provider.Provider {
  /** `package.json`'s version: what GetPluginInfo answers. */
  readonly version: string = PACKAGE_VERSION;
  readonly #core: OrgInvitationProvider;
  readonly #env: StringMap;
  readonly #schemaPaths: readonly string[];
  #configured = false;

  constructor(options: OrgInvitationPluginOptions = {}) {
    this.#env = options.env ?? process.env;
    this.#schemaPaths = options.schemaPaths ?? SCHEMA_CANDIDATES;
    this.#core = new OrgInvitationProvider({
      audience: "plugin",
      env: this.#env,
      logger: options.logger ?? engineLogger,
      createClient: options.createClient,
      clock: options.clock,
    });
  }

  /**
   * Configure: replaces the configuration with the RPC's arguments (explicit provider arguments
   * do not combine with stack config, as with every Pulumi provider; the environment still fills
   * what they leave unset).
   * @throws AtlasConfigurationError for a bad tuning value or API choice, naming the plugin's key
   */
  configure(request: ConfigureArgs): void {
    this.#core.configureWith(configFromConfigure(request));
    this.#configured = true;
  }

  /** The provider, configured from `PULUMI_CONFIG` if no Configure came first. */
  private core(): OrgInvitationProvider {
    if (!this.#configured) {
      this.#core.configureWith(configFromEnvironment(this.#env));
      this.#configured = true;
    }
    return this.#core;
  }

  /**
   * The package schema, `schema/schema.json`, read at each call (the file is small; the engine
   * asks once per command).
   * @throws Error naming the paths tried when no schema file is found
   */
  async getSchema(): Promise<string> {
    for (const candidate of this.#schemaPaths) {
      try {
        return readFileSync(candidate, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
    throw new Error(
      `The ${PLUGIN_CONFIG_NAMESPACE} plugin found no schema at ${this.#schemaPaths.join(" or ")}; ` +
        "install the plugin with its schema/schema.json.",
    );
  }

  /** As the dynamic provider's `check`: one failure per bad property, naming it and its fix. */
  check(urn: string, olds: Props, news: Props): Promise<provider.CheckResult> {
    return forResource(urn, async () => {
      const result = await this.core().check(
        withoutProviderKey(olds),
        withoutProviderKey(news),
        urn,
      );
      return result.failures && result.failures.length > 0
        ? { inputs: result.inputs, failures: result.failures }
        : { inputs: result.inputs };
    });
  }

  /** As the dynamic provider's `diff`: no API call. */
  diff(id: string, urn: string, olds: Props, news: Props): Promise<provider.DiffResult> {
    return forResource(urn, () => this.core().diff(id, olds, withoutProviderKey(news)));
  }

  /** As the dynamic provider's `create`: adopts the person's pending invitation, or sends one. */
  create(urn: string, inputs: Props): Promise<provider.CreateResult> {
    return forResource(urn, () => this.core().create(withoutProviderKey(inputs)));
  }

  /**
   * Refresh, as the dynamic provider's `read`; or, when the engine sends an id and no state,
   * `pulumi import` of `<orgId>/<invitationId>` (invites API) or `<orgId>/<userId>` (org users
   * API), whichever the `api` setting in force reads (`OrgInvitationProvider.importById`).
   * @throws InvitationImportError for an import id of another form, or an invitation that is
   * accepted, expired or not found
   */
  read(id: string, urn: string, props?: Props): Promise<provider.ReadResult> {
    return forResource(urn, async () => {
      const core = this.core();
      if (isImport(props)) return core.importById(id);
      const result = await core.read(id, props);
      // An empty id tells the engine the resource is gone (pkg/v3 resource/deploy/step.go).
      return result.props === undefined ? { id: "", props: {} } : result;
    });
  }

  /** As the dynamic provider's `update`. */
  update(id: string, urn: string, olds: Props, news: Props): Promise<provider.UpdateResult> {
    return forResource(urn, () => this.core().update(id, olds, withoutProviderKey(news)));
  }

  /**
   * As the dynamic provider's `delete`: cancels a pending invitation; never cancels an accepted
   * one, never removes a member (refusal, or a warning under `onAccepted: "retain"` or
   * `ATLAS_INVITATIONS_ON_ACCEPTED=retain`).
   */
  delete(id: string, urn: string, props: Props): Promise<void> {
    return forResource(urn, () => this.core().delete(id, props, urn));
  }
}
