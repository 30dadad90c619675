/**
 * The SDK pieces the engine side of the conversation needs, loaded from the consumer's
 * `@pulumi/pulumi` folder (gRPC, the generated stubs, google-protobuf and the wire sentinels), so
 * the client speaks exactly the protocol version the host it drives was built with. The repo's
 * own `@pulumi/pulumi` supplies only the types.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import type * as GrpcJs from "@grpc/grpc-js";
import type * as ProviderGrpcPb from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as ProviderPb from "@pulumi/pulumi/proto/provider_pb";
import type * as StatusPb from "@pulumi/pulumi/proto/status_pb";
import type * as StructPb from "google-protobuf/google/protobuf/struct_pb";
import type { Consumer } from "./consumer";

export interface WireSentinels {
  /** What the engine sends for a value not known during preview. */
  unknownValue: string;
  specialSigKey: string;
  specialSecretSig: string;
}

export interface Sdk {
  grpc: typeof GrpcJs;
  services: typeof ProviderGrpcPb;
  messages: typeof ProviderPb;
  status: typeof StatusPb;
  struct: typeof StructPb;
  wire: WireSentinels;
  /** The host entry point, resolved as the CLI's `pulumi-resource-pulumi-nodejs` does. */
  hostScript: string;
}

const cache = new Map<string, Sdk>();

export function loadSdk(consumer: Pick<Consumer, "dir">): Sdk {
  const cached = cache.get(consumer.dir);
  if (cached) return cached;
  const fromProject = createRequire(join(consumer.dir, "package.json"));
  const fromSdk = createRequire(fromProject.resolve("@pulumi/pulumi/package.json"));
  const sdk: Sdk = {
    grpc: fromSdk("@grpc/grpc-js") as typeof GrpcJs,
    services: fromSdk("./proto/provider_grpc_pb") as typeof ProviderGrpcPb,
    messages: fromSdk("./proto/provider_pb") as typeof ProviderPb,
    status: fromSdk("./proto/status_pb") as typeof StatusPb,
    struct: fromSdk("google-protobuf/google/protobuf/struct_pb") as typeof StructPb,
    wire: fromSdk("./runtime/rpc") as WireSentinels,
    hostScript: fromProject.resolve("@pulumi/pulumi/cmd/dynamic-provider"),
  };
  cache.set(consumer.dir, sdk);
  return sdk;
}

export type Props = Record<string, unknown>;

export function toStruct(sdk: Sdk, props: Props): StructPb.Struct {
  return sdk.struct.Struct.fromJavaScript(props as Record<string, StructPb.JavaScriptValue>);
}

export function fromStruct(struct: StructPb.Struct | undefined): Props {
  return struct ? (struct.toJavaScript() as Props) : {};
}

/** A config value marked secret the way the engine marshals it (`KeepSecrets`) before Configure. */
export function wrapSecret(sdk: Sdk, value: string): Props {
  return { [sdk.wire.specialSigKey]: sdk.wire.specialSecretSig, value };
}

/** What "resource created but initialization failed" carries (docs: an error with `id`). */
export interface InitFailure {
  id: string;
  properties: Props;
  reasons: string[];
}

/** Decodes the `grpc-status-details-bin` trailer the host sets for errors that carry an id. */
export function initFailureOf(sdk: Sdk, error: GrpcJs.ServiceError): InitFailure | undefined {
  const raw = error.metadata?.get("grpc-status-details-bin")[0];
  if (raw === undefined || typeof raw === "string") return undefined;
  const status = sdk.status.Status.deserializeBinary(new Uint8Array(raw));
  for (const detail of status.getDetailsList()) {
    if (detail.getTypeName() !== "pulumirpc.ErrorResourceInitFailed") continue;
    const failed = sdk.messages.ErrorResourceInitFailed.deserializeBinary(detail.getValue_asU8());
    return {
      id: failed.getId(),
      properties: fromStruct(failed.getProperties()),
      reasons: failed.getReasonsList(),
    };
  }
  return undefined;
}
