/**
 * The logger the Atlas client reports through (retries, waits for rate limits), and the provider
 * its notes and warnings (provider/log.ts re-exports it with the provider's default). Every method
 * is optional, so `{}` silences everything.
 */
export interface Logger {
  debug?(message: string): void;
  info?(message: string): void;
  warn?(message: string): void;
}
