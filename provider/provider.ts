/**
 * `OrgInvitationProvider`: the `pulumi.dynamic.ResourceProvider` behind `OrgInvitation`, following
 * `@pulumi/pulumi/dynamic` exactly. Property bags are parsed into the typed model here (property-codec.ts)
 * and written back here; credentials are read at call time (Pulumi config from `configure`, then
 * `MONGODB_ATLAS_*`), never captured, so nothing secret is serialized.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { AtlasClient } from "./atlas/api";
import { systemClock } from "./atlas/budget";
import type { Clock } from "./atlas/budget";
import { getSharedAtlasClient } from "./atlas/client";
import type { AtlasClientOptions } from "./atlas/client";
import type { RetryPolicy } from "./atlas/retry";
import type { AtlasSettings } from "./atlas/settings";
import { backendFor, goneUnderInvites, isGone, moveToUsers } from "./backends/select";
import { noticeSunset } from "./backends/sunset";
import { Claims } from "./claims";
import { diffInvitation } from "./diff";
import { InvitationDeclaredTwiceError } from "./errors";
import { forAudience } from "./errors/invitation";
import { personKey } from "./identity";
import {
  createInvitation,
  deleteInvitation,
  importInvitation,
  parseImportId,
  readInvitation,
  updateInvitation,
} from "./lifecycle";
import type { LifecycleContext } from "./lifecycle";
import { stderrLogger } from "./log";
import type { Logger } from "./log";
import type { OrgInvitationOutputs } from "./model";
import {
  CONFIG_KEYS,
  resolveAtlasSettings,
  resolveRetainAccepted,
  resolveTuning,
} from "./settings";
import type { Audience, ProviderSettings, StringMap } from "./settings";
import { advise } from "./settings-advice";
import {
  declaredPersonOf,
  normalizeInputs,
  parseDeclared,
  parseState,
  takeDeclaredTwiceMark,
  toInputs,
  toOutputs,
} from "./property-codec";
import type { Props } from "./property-codec";
import { validateInputs } from "./validate";

/** What the provider hands a client it builds: its voice, and an ear on every answer. */
export interface ClientHooks {
  logger: Logger;
  onAnswer: NonNullable<AtlasClientOptions["onAnswer"]>;
}

/** Options of an `OrgInvitationProvider`, for tests and tools; a Pulumi program needs none. */
export interface OrgInvitationProviderOptions {
  /**
   * Where `MONGODB_ATLAS_*` and proxy variables are read from.
   * @default process.env, read at each call
   */
  env?: StringMap | undefined;
  /**
   * Builds the Atlas client for resolved settings, the retry policy they set, and the provider's
   * hooks (its logger, and the `onAnswer` that notices a `Sunset` header).
   * @default one shared client per settings in the process (shared digest challenge, token cache,
   * rate-limit views)
   */
  createClient?:
    ((settings: AtlasSettings, retry: RetryPolicy, hooks: ClientHooks) => AtlasClient) | undefined;
  /** @default notes and warnings on stderr */
  logger?: Logger | undefined;
  /** @default real time */
  clock?: Clock | undefined;
  /**
   * Whose config keys the provider reads and its messages name: `pulumi`, the dynamic provider's
   * (`mongodbatlas:*`, `atlasInvitations:*`), or `plugin`, the resource provider plugin's
   * (`atlasorginvitations:*`, set through `configureWith`).
   * @default "pulumi"
   */
  audience?: Exclude<Audience, "cli"> | undefined;
}

/**
 * What `read` (`pulumi refresh`) returns: `props`, the refreshed outputs; `inputs`, the declared
 * properties (orgId, username, roles, teamIds, groupRoleAssignments, onAccepted) as Atlas now
 * holds them, which the engine keeps for the next diff so that `ignoreChanges` keeps an admin's
 * edit (the SDK's dynamic `ReadResult.inputs`, sdk/nodejs/dynamic/index.ts); `{}` when the
 * invitation is gone. `id` is the resource id, unchanged.
 * @example
 * const { props, inputs } = await new OrgInvitationProvider().read(id, outputs);
 */
export interface OrgInvitationReadResult {
  id?: string;
  props?: OrgInvitationOutputs;
  inputs?: Props;
}

/**
 * The dynamic provider behind `OrgInvitation` (`pulumi.dynamic.ResourceProvider`): `configure`,
 * `check`, `diff`, `create`, `read`, `update`, `delete`, with inputs and outputs as plain JSON
 * (`OrgInvitationOutputs`). `OrgInvitation` already uses the one the package's `./runtime` module
 * holds; construct one yourself only to drive it directly (tests, tools).
 *
 * Each method throws the errors listed on `OrgInvitation`; `configure` and `check` throw
 * `AtlasConfigurationError` for missing or bad settings, naming the keys.
 */
export class OrgInvitationProvider implements dynamic.ResourceProvider<
  Props,
  // The SDK types ReadResult.inputs as the resource's outputs; a refresh hands back inputs
  // (Props), so outputs admit both (sdk/nodejs/dynamic/index.ts, ReadResult).
  OrgInvitationOutputs | Props
> {
  // Private fields: config and settings hold secrets, which must not show in JSON.stringify or
  // inspect.
  #config: Record<string, string | undefined> = {};
  /** Resolved once, on first use: neither config nor the environment changes within a process. */
  #settings: ProviderSettings | undefined;
  /** The retry policy and API, resolved by `configure` (or on first use without one). */
  #tuning: Pick<ProviderSettings, "retry" | "api"> | undefined;
  private readonly options: OrgInvitationProviderOptions;
  /** One provider per host process, one host per deployment: see claims.ts. */
  private readonly claims = new Claims();

  constructor(options: OrgInvitationProviderOptions = {}) {
    this.options = options;
  }

  /**
   * Keeps the `mongodbatlas:*` keys users already set for the official Atlas provider, and the
   * package's `atlasInvitations:*` keys.
   * @throws AtlasConfigurationError for a bad `atlasInvitations:*` value, naming the key
   */
  async configure(req: dynamic.ConfigureRequest): Promise<void> {
    const config: Record<string, string | undefined> = {};
    for (const key of CONFIG_KEYS) config[key] = req.config.get(key);
    this.configureWith(config);
  }

  /**
   * Sets the provider's config from a flat map keyed by its audience's config keys (the plugin's
   * `atlasorginvitations:deadlineMs`; values as strings), replacing any earlier config. Keys of
   * no setting are ignored. The environment still fills what config leaves unset (settings.ts).
   * @throws AtlasConfigurationError for a bad tuning value or API choice, naming the key
   */
  configureWith(config: StringMap): void {
    // Fails the preview on a bad tuning value or API choice, naming the key, before any call;
    // the values resolved here are the ones every call uses.
    const copy = { ...config };
    this.#tuning = resolveTuning({ config: copy, env: this.env(), audience: this.audience() });
    this.#config = copy;
    this.#settings = undefined;
  }

  private audience(): Exclude<Audience, "cli"> {
    return this.options.audience ?? "pulumi";
  }

  private env(): StringMap {
    return this.options.env ?? process.env;
  }

  /**
   * The provider's settings, resolved and validated once (settings.ts).
   * @throws AtlasConfigurationError naming the keys to set or fix
   */
  settings(): ProviderSettings {
    if (this.#settings === undefined) {
      const sources = { config: this.#config, env: this.env(), audience: this.audience() };
      this.#tuning ??= resolveTuning(sources);
      this.#settings = {
        ...this.#tuning,
        atlas: resolveAtlasSettings(sources),
        retainAccepted: resolveRetainAccepted(sources.env),
      };
    }
    return this.#settings;
  }

  private logger(): Logger {
    return this.options.logger ?? stderrLogger;
  }

  private client(settings: ProviderSettings): AtlasClient {
    const logger = this.logger();
    const hooks: ClientHooks = {
      logger,
      onAnswer: ({ response }) =>
        noticeSunset(
          response,
          settings.api,
          logger,
          this.options.clock ?? systemClock,
          this.audience(),
        ),
    };
    return this.options.createClient
      ? this.options.createClient(settings.atlas, settings.retry, hooks)
      : getSharedAtlasClient(settings.atlas, {
          policy: settings.retry,
          ...hooks,
          ...(this.options.clock && { clock: this.options.clock }),
        });
  }

  /**
   * Runs one lifecycle step. Under `atlasInvitations:api` "auto", a 410 from the invites API
   * moves the process to the org users API and the step runs again there, once.
   */
  private async run<T>(step: (ctx: LifecycleContext) => Promise<T>): Promise<T> {
    try {
      return await this.attempt(step);
    } catch (error) {
      // Atlas's errors name settings by their neutral names; a Pulumi user reads config keys. A
      // refusal's fix is worded for the audience's programs (TypeScript, or any language).
      throw advise(forAudience(error, this.audience()), this.audience());
    }
  }

  private async attempt<T>(step: (ctx: LifecycleContext) => Promise<T>): Promise<T> {
    const settings = this.settings();
    const client = this.client(settings);
    const logger = this.logger();
    const origin = settings.atlas.baseUrl;
    const budget = client.budget();
    const context = (): LifecycleContext => ({
      client,
      backend: backendFor(settings.api, origin, client),
      claims: this.claims,
      logger,
      budget,
      retainAccepted: settings.retainAccepted,
    });
    const ctx = context();
    try {
      return await step(ctx);
    } catch (error) {
      if (ctx.backend.api !== "invites" || !isGone(error)) throw error;
      if (settings.api === "invites") throw goneUnderInvites(error, this.audience());
      moveToUsers(origin, logger, this.audience());
      return step(context());
    }
  }

  /**
   * Validates inputs before any HTTP call, one failure per bad property with its fix (a role one
   * or two letters from a known one: "did you mean"). Unknown preview values pass. A resource the
   * program marked as declaring a person another resource declares fails on `username`, and so
   * does, when `urn` is given (the provider plugin), a second resource of the deployment checked
   * for a person another URN declares; every checked person is recorded for `create`'s guard and
   * `delete`'s (claims.ts), marked or not.
   * @param urn the resource's URN, where the caller knows it (the dynamic contract passes none)
   * @throws AtlasConfigurationError for missing or half-set credentials, naming the keys
   */
  async check(olds: Props, news: Props, urn?: string): Promise<dynamic.CheckResult<Props>> {
    const { inputs, other } = takeDeclaredTwiceMark(news);
    const failures = validateInputs(inputs);
    if (failures.length > 0) return { inputs, failures };
    this.settings();
    const person = declaredPersonOf(inputs);
    if (person) {
      const before = declaredPersonOf(olds);
      const keeps =
        before !== undefined &&
        personKey(before.orgId, before.username) === personKey(person.orgId, person.username);
      const checkedOther = this.claims.checkedDeclaration(
        person.orgId,
        person.username,
        keeps,
        urn,
      );
      const declaredTwice =
        other ?? (checkedOther && { ...checkedOther, resource: checkedOther.name });
      if (declaredTwice) {
        const refusal = new InvitationDeclaredTwiceError({
          ...person,
          otherUsername: declaredTwice.username,
          otherResource: declaredTwice.resource,
        });
        return { inputs, failures: [{ property: "username", reason: refusal.message }] };
      }
    }
    return { inputs: normalizeInputs(inputs) };
  }

  /**
   * orgId or username (other than in letter case) replaces; roles, teams and project roles update
   * in place; `onAccepted` alone is a state-only update; reordered lists and a new `__provider`
   * are no change. Makes no API call.
   * @throws InvitationStateError for stored state it cannot read
   */
  async diff(
    id: string,
    olds: OrgInvitationOutputs | Props,
    news: Props,
  ): Promise<dynamic.DiffResult> {
    const result = diffInvitation(parseState(id, { ...olds }), news);
    // The old half's delete receives only the old inputs; a "retain" declared in the edit that
    // replaces it must still reach it (claims.ts, replacedWithRetain).
    if ((result.replaces?.length ?? 0) > 0 && news["onAccepted"] === "retain") {
      this.claims.replacedWithRetain(id);
    }
    return result;
  }

  /**
   * Adopts the person's pending invitation, or sends one.
   * @throws UserAlreadyMemberError, InvitationDeclaredTwiceError, InvitationInputRejectedError,
   * and the client's errors (see `OrgInvitation`)
   */
  async create(inputs: Props): Promise<dynamic.CreateResult<OrgInvitationOutputs>> {
    const declared = parseDeclared(inputs);
    const state = await this.run((ctx) => createInvitation(ctx, declared));
    return { id: state.id, outs: toOutputs(state) };
  }

  /**
   * Refresh: Atlas's view of a pending invitation, `status: ACCEPTED` for a member, `{}` when gone.
   * @throws InvitationStateError, and the client's errors
   */
  async read(id: string, props?: OrgInvitationOutputs | Props): Promise<OrgInvitationReadResult> {
    const state = parseState(id, { ...props });
    const refreshed = await this.run((ctx) => readInvitation(ctx, state));
    if (!refreshed) return {};
    // The refreshed inputs too (the SDK's dynamic ReadResult.inputs, @pulumi/pulumi 3.2xx; older
    // hosts ignore them): the engine fills a property under `ignoreChanges` from the stored
    // inputs, so without these an `up` after a refresh that saw an admin's edit would diff the
    // program's old value against Atlas's and revert the edit the user chose to ignore.
    return { id, props: toOutputs(refreshed), inputs: toInputs(refreshed) };
  }

  /**
   * `pulumi import` (the resource provider plugin; dynamic resources cannot be imported,
   * pulumi/pulumi#16175): reads the pending invitation `id` names, never writing. `id` is
   * `<orgId>/<invitationId>` on the invites API or `<orgId>/<userId>` on the org users API; the
   * `api` setting in force decides which (`auto`: the invites API while Atlas serves it). The
   * result's `id` is what a create on that API would have produced (the invitation id, or the
   * org user id); `inputs` are the declared properties as Atlas holds them, `onAccepted` at its
   * default (`fail`).
   * @throws InvitationImportError for an id of another form, or an invitation that is accepted,
   * expired or not found; AtlasConfigurationError; and the client's errors
   */
  async importById(id: string): Promise<Required<OrgInvitationReadResult>> {
    const parsed = parseImportId(id);
    const state = await this.run((ctx) => importInvitation(ctx, parsed));
    return { id: state.id, props: toOutputs(state), inputs: toInputs(state) };
  }

  /**
   * Brings a pending invitation to the declaration; after acceptance, records it in state only.
   * @throws InvitationGoneError when it expired or was cancelled; InvitationInputRejectedError;
   * InvitationStateError; and the client's errors
   */
  async update(
    id: string,
    olds: OrgInvitationOutputs | Props,
    news: Props,
  ): Promise<dynamic.UpdateResult<OrgInvitationOutputs>> {
    const state = parseState(id, { ...olds });
    const declared = parseDeclared(news, id);
    return { outs: toOutputs(await this.run((ctx) => updateInvitation(ctx, state, declared))) };
  }

  /**
   * Cancels a pending invitation; never cancels an accepted one, never removes a member; leaves
   * a pending invitation that another resource checked in this deployment keeps (claims.ts).
   * @param urn the resource's URN, where the caller knows it (the dynamic contract passes none)
   * @throws InvitationAcceptedError under `onAccepted: "fail"`; InvitationStateError; and the
   * client's errors (any of which keeps the resource in state)
   */
  async delete(id: string, props: OrgInvitationOutputs | Props, urn?: string): Promise<void> {
    const state = parseState(id, { ...props });
    await this.run((ctx) => deleteInvitation(ctx, state, urn));
  }
}
