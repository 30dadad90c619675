/**
 * The provider's voice. Inside the dynamic-provider host `pulumi.log` has no engine connection and
 * falls back to the console, so write there directly: stderr keeps stdout clean for the host's
 * own handshake line.
 */
export interface ProviderLogger {
  info(message: string): void;
  warn(message: string): void;
}

export const consoleLogger: ProviderLogger = {
  info: (message) => console.warn(`info: ${message}`),
  warn: (message) => console.warn(`warning: ${message}`),
};
