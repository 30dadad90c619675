/**
 * The Configure RPC, answered by the plugin itself. `@pulumi/pulumi/provider`'s server (3.248 and
 * 3.276 alike, provider/server.js `configure`) acknowledges Configure and drops its arguments, and
 * its `Provider` interface has no `configure`: an explicit provider resource's arguments
 * (`new Provider("p", {publicKey, privateKey})`) would be silently ignored. The SDK's `main`
 * builds its gRPC server and registers the service synchronously, before its first `await`; for
 * exactly that span `withConfigureHandler` wraps `Server.prototype.addService` of the
 * `@grpc/grpc-js` the SDK loads, and registers the SDK's own implementation with `configure`
 * replaced, every other method untouched (the implementation stays the prototype of the object
 * registered, so `this` still reaches it). If a future SDK registers its service another way, the
 * hook does not fire and the plugin refuses to start with a message saying so, instead of running
 * with its configuration ignored.
 *
 * Why this over the alternatives: re-implementing the ResourceProvider service would be a second
 * copy of the SDK's marshalling; a gRPC server interceptor cannot be added to a server the SDK
 * constructs; and the engine's `PULUMI_CONFIG` carries stack config only, never an explicit
 * provider's arguments.
 */
import { createRequire } from "node:module";
import type * as GrpcJs from "@grpc/grpc-js";
import type * as ProviderPb from "@pulumi/pulumi/proto/provider_pb";
import type { ConfigureArgs } from "./plugin-config";

/** The Configure method's path in the ResourceProvider service (proto/pulumi/provider.proto). */
const CONFIGURE_PATH = "/pulumirpc.ResourceProvider/Configure";

/** Modules resolved as the SDK's provider server resolves them: the same instances. */
const sdkRequire = createRequire(require.resolve("@pulumi/pulumi/provider"));
const grpc = sdkRequire("@grpc/grpc-js") as typeof GrpcJs;
const providerPb = sdkRequire("../proto/provider_pb") as typeof ProviderPb;

/**
 * Receives one Configure's arguments; throws to fail the Configure (the engine shows the message).
 */
export type ConfigureHandler = (request: ConfigureArgs) => void | Promise<void>;

type UnaryHandler = (
  call: GrpcJs.ServerUnaryCall<ProviderPb.ConfigureRequest, ProviderPb.ConfigureResponse>,
  callback: GrpcJs.sendUnaryData<ProviderPb.ConfigureResponse>,
) => void;

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
function configureHandler(handler: ConfigureHandler): UnaryHandler {
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
        (error: unknown) => {
          const details = error instanceof Error ? error.message : String(error);
          callback({
            code: grpc.status.INVALID_ARGUMENT,
            details,
            name: "Error",
            message: details,
          });
        },
      );
  };
}

/**
 * Runs `start` (the SDK's `main`) with Configure answered by `handler`.
 * @throws Error when `start` registered no ResourceProvider service synchronously (an SDK that
 * works otherwise than 3.248–3.276): the plugin must not run with its configuration ignored
 */
export function withConfigureHandler<T>(
  handler: ConfigureHandler,
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
    wrapped["configure"] = configureHandler(handler);
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
