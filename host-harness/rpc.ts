/**
 * The engine's half of the ResourceProvider gRPC conversation: plain JavaScript in and out,
 * errors as `HostError`. Requests carry what the engine sends (urn, olds/news, old inputs) so the
 * host sees realistic messages; the Node host itself reads only some of them (the SDK's
 * sdk/nodejs/cmd/dynamic-provider/index.ts, https://github.com/pulumi/pulumi).
 */
import type * as GrpcJs from "@grpc/grpc-js";
import type { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as pb from "@pulumi/pulumi/proto/provider_pb";
import { fromStruct, initFailureOf, toStruct, wrapSecret } from "./sdk";
import type { InitFailure, Props, Sdk } from "./sdk";

/** The preview placeholder for a value not known yet (`rpc.unknownValue` in the SDK). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export class HostError extends Error {
  override readonly name = "HostError";
  /** gRPC status code (2 = UNKNOWN for errors a provider method threw). */
  readonly code: number;
  readonly method: string;
  /** Set when the error carried an id: "resource created but initialization failed". */
  readonly initFailed: InitFailure | undefined;

  constructor(method: string, error: GrpcJs.ServiceError, initFailed: InitFailure | undefined) {
    // `details` is the provider's message as the host sent it; `error.message` adds a gRPC prefix.
    super(error.details || error.message);
    this.method = method;
    this.code = error.code;
    this.initFailed = initFailed;
  }
}

export interface CheckResult {
  inputs: Props;
  failures: { property: string; reason: string }[];
}

export interface DiffResult {
  changes: "unknown" | "none" | "some";
  replaces: string[];
  deleteBeforeReplace: boolean;
}

export interface ReadResult {
  /** Empty when the provider reported the resource gone. */
  id: string;
  properties: Props;
  /** Set when the provider returned explicit inputs (3.216.0+). */
  inputs?: Props;
}

export interface Timing {
  method: string;
  ms: number;
}

type Callback<Res> = (error: GrpcJs.ServiceError | null, response: Res) => void;

export class HostRpc {
  /** Wall time of every call made, in order: the host-level time per operation. */
  readonly timings: Timing[] = [];
  private readonly sdk: Sdk;
  private readonly client: ResourceProviderClient;
  private readonly callTimeoutMs: number;

  constructor(sdk: Sdk, address: string, callTimeoutMs: number) {
    this.sdk = sdk;
    this.client = new sdk.services.ResourceProviderClient(
      address,
      sdk.grpc.credentials.createInsecure(),
    );
    this.callTimeoutMs = callTimeoutMs;
  }

  closeChannel(): void {
    this.client.close();
  }

  private async unary<Res>(
    method: string,
    invoke: (
      metadata: GrpcJs.Metadata,
      options: Partial<GrpcJs.CallOptions>,
      callback: Callback<Res>,
    ) => void,
  ): Promise<Res> {
    const started = performance.now();
    try {
      return await new Promise<Res>((resolve, reject) => {
        const options = { deadline: Date.now() + this.callTimeoutMs };
        invoke(new this.sdk.grpc.Metadata(), options, (error, response) => {
          if (error) reject(new HostError(method, error, initFailureOf(this.sdk, error)));
          else resolve(response);
        });
      });
    } finally {
      this.timings.push({ method, ms: performance.now() - started });
    }
  }

  /**
   * Stack config with namespaced keys. Keys in `secretKeys` travel wrapped as secrets, as the
   * engine sends them before the provider has said it does not accept secrets; the host unwraps.
   */
  async configure(
    config: Record<string, string>,
    secretKeys: readonly string[] = [],
  ): Promise<{ acceptSecrets: boolean }> {
    const { messages } = this.sdk;
    const args: Props = {};
    const req = new messages.ConfigureRequest();
    for (const [key, value] of Object.entries(config)) {
      args[key] = secretKeys.includes(key) ? wrapSecret(this.sdk, value) : value;
      req.getVariablesMap().set(key, value);
    }
    req.setArgs(toStruct(this.sdk, args)).setAcceptsecrets(true).setAcceptresources(true);
    const res = await this.unary<pb.ConfigureResponse>("Configure", (m, o, cb) =>
      this.client.configure(req, m, o, cb),
    );
    return { acceptSecrets: res.getAcceptsecrets() };
  }

  async check(urn: string, olds: Props, news: Props): Promise<CheckResult> {
    const req = new this.sdk.messages.CheckRequest();
    req.setUrn(urn).setOlds(toStruct(this.sdk, olds)).setNews(toStruct(this.sdk, news));
    const res = await this.unary<pb.CheckResponse>("Check", (m, o, cb) =>
      this.client.check(req, m, o, cb),
    );
    return {
      inputs: fromStruct(res.getInputs()),
      failures: res
        .getFailuresList()
        .map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  /** `olds` are the stored outputs; `oldInputs` the stored inputs (sent, ignored by the Node host). */
  async diff(
    urn: string,
    id: string,
    olds: Props,
    news: Props,
    oldInputs: Props = {},
  ): Promise<DiffResult> {
    const { messages } = this.sdk;
    const req = new messages.DiffRequest();
    req.setUrn(urn).setId(id).setOlds(toStruct(this.sdk, olds)).setNews(toStruct(this.sdk, news));
    req.setOldInputs(toStruct(this.sdk, oldInputs));
    const res = await this.unary<pb.DiffResponse>("Diff", (m, o, cb) =>
      this.client.diff(req, m, o, cb),
    );
    const Changes = messages.DiffResponse.DiffChanges;
    const changes = res.getChanges();
    return {
      changes:
        changes === Changes.DIFF_SOME ? "some" : changes === Changes.DIFF_NONE ? "none" : "unknown",
      replaces: res.getReplacesList(),
      deleteBeforeReplace: res.getDeletebeforereplace(),
    };
  }

  async create(urn: string, props: Props): Promise<{ id: string; properties: Props }> {
    const req = new this.sdk.messages.CreateRequest();
    req.setUrn(urn).setProperties(toStruct(this.sdk, props)).setPreview(false);
    const res = await this.unary<pb.CreateResponse>("Create", (m, o, cb) =>
      this.client.create(req, m, o, cb),
    );
    return { id: res.getId(), properties: fromStruct(res.getProperties()) };
  }

  async read(urn: string, id: string, props: Props, inputs?: Props): Promise<ReadResult> {
    const req = new this.sdk.messages.ReadRequest();
    req.setUrn(urn).setId(id).setProperties(toStruct(this.sdk, props));
    if (inputs) req.setInputs(toStruct(this.sdk, inputs));
    const res = await this.unary<pb.ReadResponse>("Read", (m, o, cb) =>
      this.client.read(req, m, o, cb),
    );
    const result: ReadResult = { id: res.getId(), properties: fromStruct(res.getProperties()) };
    const returnedInputs = res.getInputs();
    if (returnedInputs) result.inputs = fromStruct(returnedInputs);
    return result;
  }

  async update(
    urn: string,
    id: string,
    olds: Props,
    news: Props,
    oldInputs: Props = {},
  ): Promise<{ properties: Props }> {
    const req = new this.sdk.messages.UpdateRequest();
    req.setUrn(urn).setId(id).setOlds(toStruct(this.sdk, olds)).setNews(toStruct(this.sdk, news));
    req.setOldInputs(toStruct(this.sdk, oldInputs)).setPreview(false);
    const res = await this.unary<pb.UpdateResponse>("Update", (m, o, cb) =>
      this.client.update(req, m, o, cb),
    );
    return { properties: fromStruct(res.getProperties()) };
  }

  async delete(urn: string, id: string, props: Props, oldInputs: Props = {}): Promise<void> {
    const req = new this.sdk.messages.DeleteRequest();
    req
      .setUrn(urn)
      .setId(id)
      .setProperties(toStruct(this.sdk, props))
      .setOldInputs(toStruct(this.sdk, oldInputs));
    await this.unary("Delete", (m, o, cb) => this.client.delete(req, m, o, cb));
  }
}
