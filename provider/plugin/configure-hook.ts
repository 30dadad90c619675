/**
 * The Configure and CheckConfig RPCs, answered by the plugin itself. `@pulumi/pulumi/provider`'s
 * server (3.248 and 3.276 alike, provider/server.js) acknowledges Configure and drops its
 * arguments, and answers CheckConfig with UNIMPLEMENTED; its `Provider` interface has neither: an
 * explicit provider resource's arguments (`new Provider("p", {publicKey, privateKey})`) would be
 * silently ignored, and the engine would keep them in the state as the program sent them, a
 * private key the program did not mark secret in plain text. The SDK's `main` builds its gRPC
 * server and registers the service synchronously, before its first `await`; for exactly that span
 * `withConfigHandlers` wraps `Server.prototype.addService` of the `@grpc/grpc-js` the SDK loads,
 * and registers the SDK's own implementation with `configure` and `checkConfig` replaced, every
 * other method untouched (the implementation stays the prototype of the object registered, so
 * `this` still reaches it). If a future SDK registers its service another way, the hook does not
 * fire and the plugin refuses to start with a message saying so, instead of running with its
 * configuration ignored.
 *
 * DiffConfig stays the SDK's UNIMPLEMENTED: the engine then diffs a provider's old and new inputs
 * itself, as an update that replaces nothing (pkg/v3 v3.276.0 resource/plugin/provider_plugin.go
 * `DiffConfig`, resource/deploy/providers/registry.go `Diff`), which is right here: a changed
 * setting reconfigures the plugin and never calls for replacing the invitations it manages.
 *
 * Why this over the alternatives: re-implementing the ResourceProvider service would be a second
 * copy of the SDK's marshalling; a gRPC server interceptor cannot be added to a server the SDK
 * constructs; and the engine's `PULUMI_CONFIG` carries stack config only, never an explicit
 * provider's arguments.
 */
import { createRequire } from "node:module";
import type * as GrpcJs from "@grpc/grpc-js";
import type * as StructPb from "google-protobuf/google/protobuf/struct_pb";
import type * as ProviderPb from "@pulumi/pulumi/proto/provider_pb";
import type { ConfigCheckResult } from "./check-config";
import type { ConfigureArgs } from "./plugin-config";

/** The Configure method's path in the ResourceProvider service (proto/pulumi/provider.proto). */
const CONFIGURE_PATH = "/pulumirpc.ResourceProvider/Configure";

/** Modules resolved as the SDK's provider server resolves them: the same instances. */
const sdkRequire = createRequire(require.resolve("@pulumi/pulumi/provider"));
const grpc = sdkRequire("@grpc/grpc-js") as typeof GrpcJs;
const providerPb = sdkRequire("../proto/provider_pb") as typeof ProviderPb;
const structPb = sdkRequire("google-protobuf/google/protobuf/struct_pb") as typeof StructPb;

/**
 * Receives one Configure's arguments; throws to fail the Configure (the engine shows the message).
 */
export type ConfigureHandler = (request: ConfigureArgs) => void | Promise<void>;

/**
 * Receives one CheckConfig's new inputs (a Struct as plain JavaScript: secrets unwrapped by the
 * engine, unknowns as its sentinel string) and the provider's name (`default_0_1_0` for a default
 * provider, the program's name for an explicit one), and returns the inputs the engine keeps and
 * the failures it shows; throws only for a fault (the CheckConfig then fails with the message).
 */
export type CheckConfigHandler = (
  news: Record<string, unknown>,
  target: { name: string },
) => ConfigCheckResult | Promise<ConfigCheckResult>;

/** The RPCs the plugin answers itself instead of the SDK's server. */
export interface ConfigHandlers {
  configure: ConfigureHandler;
  checkConfig: CheckConfigHandler;
}

type UnaryHandler<Req, Res> = (
  call: GrpcJs.ServerUnaryCall<Req, Res>,
  callback: GrpcJs.sendUnaryData<Res>,
) => void;

/** A gRPC error status of `code` with `error`'s message (never its stack). */
function statusOf(code: GrpcJs.status, error: unknown): Partial<GrpcJs.StatusObject> {
  const details = error instanceof Error ? error.message : String(error);
  return { code, details };
}

/** Whether `service` is the ResourceProvider service definition (it has Configure at its path). */
function isResourceProviderService(service: GrpcJs.ServiceDefinition): boolean {
  const configure = (service as Record<string, { path?: unknown } | undefined>)["configure"];
  return configure?.path === CONFIGURE_PATH;
}

/** The plain JavaScript of one ConfigureRequest. */
function argsOf(request: ProviderPb.ConfigureRequest): ConfigureArgs {
  const variables: Record<string, string> = {};
  request.getVariablesMap().forEach((value, key) => {
    variables[key] = value;
  });
  const args = request.getArgs()?.toJavaScript();
  return { args, variables };
}

/**
 * The Configure answer: the plugin takes no secrets, resource references or output values in
 * resource properties (the engine then strips secrets from what it sends and marks secret again
 * every output whose input was secret: provider_plugin.go `annotateSecrets`), and no preview
 * calls of Create/Update (the SDK's server would perform them).
 */
function configureHandler(
  handler: ConfigureHandler,
): UnaryHandler<ProviderPb.ConfigureRequest, ProviderPb.ConfigureResponse> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => handler(argsOf(call.request)))
      .then(
        () => {
          const response = new providerPb.ConfigureResponse();
          response.setAcceptsecrets(false);
          response.setAcceptresources(false);
          response.setAcceptoutputs(false);
          response.setSupportspreview(false);
          callback(null, response);
        },
        (error: unknown) => callback(statusOf(grpc.status.INVALID_ARGUMENT, error)),
      );
  };
}

/**
 * The provider's name: the request's `name`, else the last `::` part of its URN (the engine sets
 * both; pkg/v3 v3.276.0 resource/plugin/provider_plugin.go `CheckConfig`).
 */
function nameOf(request: ProviderPb.CheckRequest): string {
  return request.getName() || (request.getUrn().split("::").pop() ?? "");
}

/** The CheckConfig answer: the handler's inputs and failures, as a `CheckResponse`. */
function checkConfigHandler(
  handler: CheckConfigHandler,
): UnaryHandler<ProviderPb.CheckRequest, ProviderPb.CheckResponse> {
  return (call, callback) => {
    Promise.resolve()
      .then(() =>
        handler(call.request.getNews()?.toJavaScript() ?? {}, { name: nameOf(call.request) }),
      )
      .then(
        ({ inputs, failures }) => {
          const response = new providerPb.CheckResponse();
          response.setInputs(
            structPb.Struct.fromJavaScript(inputs as Record<string, StructPb.JavaScriptValue>),
          );
          response.setFailuresList(
            failures.map((f) => {
              const failure = new providerPb.CheckFailure();
              failure.setProperty(f.property);
              failure.setReason(f.reason);
              return failure;
            }),
          );
          callback(null, response);
        },
        (error: unknown) => callback(statusOf(grpc.status.INTERNAL, error)),
      );
  };
}

/**
 * Runs `start` (the SDK's `main`) with Configure and CheckConfig answered by `handlers`.
 * @throws Error when `start` registered no ResourceProvider service synchronously (an SDK that
 * works otherwise than 3.248–3.276): the plugin must not run with its configuration ignored
 */
export function withConfigHandlers<T>(
  handlers: ConfigHandlers,
  start: () => Promise<T>,
): Promise<T> {
  const prototype = grpc.Server.prototype;
  const original = Object.getOwnPropertyDescriptor(prototype, "addService");
  if (original === undefined || typeof original.value !== "function") {
    throw new Error("@grpc/grpc-js has no Server.prototype.addService: cannot answer Configure.");
  }
  const addService = original.value as GrpcJs.Server["addService"];
  let hooked = false;
  const replacement: GrpcJs.Server["addService"] = function (
    this: GrpcJs.Server,
    service,
    implementation,
  ) {
    if (!isResourceProviderService(service)) {
      return addService.call(this, service, implementation);
    }
    hooked = true;
    const wrapped: GrpcJs.UntypedServiceImplementation = Object.create(implementation);
    wrapped["configure"] = configureHandler(handlers.configure);
    wrapped["checkConfig"] = checkConfigHandler(handlers.checkConfig);
    return addService.call(this, service, wrapped);
  };
  Object.defineProperty(prototype, "addService", { ...original, value: replacement });
  let started: Promise<T>;
  try {
    started = start();
  } finally {
    Object.defineProperty(prototype, "addService", original);
  }
  if (!hooked) {
    // Whatever `start` started is abandoned: its outcome must not surface as an unhandled rejection.
    started.catch(() => undefined);
    throw new Error(
      "The @pulumi/pulumi provider server did not register its ResourceProvider service when " +
        "expected, so this plugin cannot read its Configure arguments; use a @pulumi/pulumi " +
        "version this plugin was built with (3.248 to 3.276).",
    );
  }
  return started;
}
