/** The request log: every non-control request, in arrival-completion order. */
import type { LogEntry, LogFilter, RequestLog } from "./types";

export class RequestLogStore implements RequestLog {
  private items: LogEntry[] = [];
  private seq = 0;
  /**
   * Bumped by every reset. A request that started before a reset (say a delayed answer the
   * client already gave up on) must not land in the next test's log: handlers reset between
   * tests, msw-style.
   */
  generation = 0;

  push(entry: Omit<LogEntry, "seq">): void {
    this.seq += 1;
    this.items.push({ seq: this.seq, ...entry });
  }

  entries(filter: LogFilter = {}): LogEntry[] {
    return this.items
      .filter(
        (e) =>
          (filter.method === undefined || e.method === filter.method.toUpperCase()) &&
          (!("operationId" in filter) || e.operationId === filter.operationId) &&
          (filter.status === undefined || e.status === filter.status),
      )
      .map((e) => ({ ...e, query: { ...e.query } }));
  }

  count(filter: LogFilter = {}): number {
    return this.entries(filter).length;
  }

  clear(): void {
    this.items = [];
  }

  /** Back to an empty log numbered from 1 (control reset). */
  restart(): void {
    this.items = [];
    this.seq = 0;
    this.generation += 1;
  }
}
