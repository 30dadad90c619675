/**
 * atlas-recorded/ vendors the `.http` files and README of the shared recordings (real Atlas
 * responses) that CI keeps beside the clone: they must not drift from that copy. The shared `index.json` is not vendored,
 * because it still holds people's real names and a phone number that the `.http` files replaced;
 * the loader parses the `.http` files instead, and must agree with that index on everything else.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadRecorded, RECORDED_DIR } from "../support/recorded";

const shared = join(RECORDED_DIR, "..", "..", "shared", "atlas-recorded");
const sharedIndex = join(shared, "index.json");

/** The fields the recordings' README says were replaced by made-up values. */
const PERSONAL = /"(firstName|lastName|mobileNumber)":("[^"]*"|null)/g;
const masked = (text: string): string => text.replace(PERSONAL, '"$1":"<personal>"');

describe("vendored Atlas recordings", () => {
  it("are byte-identical to the .http files and README of ../shared/atlas-recorded when that copy exists", () => {
    if (!existsSync(shared)) {
      console.warn(`note: ${shared} not found; skipping the comparison with the shared recordings`);
      return;
    }
    const mine = readdirSync(RECORDED_DIR).sort();
    expect(mine).toEqual(
      readdirSync(shared)
        .filter((n) => n !== "index.json")
        .sort(),
    );
    const differing = mine.filter(
      (name) => !readFileSync(join(RECORDED_DIR, name)).equals(readFileSync(join(shared, name))),
    );
    expect(differing).toEqual([]);
  });

  it("never include the shared index.json, nor any name or phone number beyond the made-up ones", () => {
    expect(existsSync(join(RECORDED_DIR, "index.json"))).toBe(false);
    let seen = 0;
    for (const entry of loadRecorded()) {
      for (const [, field, value] of entry.response.body.matchAll(PERSONAL)) {
        seen += 1;
        const ok =
          value === "null" ||
          (field === "mobileNumber"
            ? value === '"+10000000000"'
            : /^"(Given|Family)\d+"$/.test(value ?? ""));
        expect([entry.file, field, ok]).toEqual([entry.file, field, true]);
      }
    }
    expect(seen).toBeGreaterThan(100);
  });

  it("parse into the same exchanges as the shared index.json, personal fields aside", () => {
    if (!existsSync(sharedIndex)) {
      console.warn(`note: ${sharedIndex} not found; skipping the comparison with the shared index`);
      return;
    }
    const index = JSON.parse(readFileSync(sharedIndex, "utf8")) as {
      file: string;
      operation: string;
      request: { method: string; path: string; query: string | null };
      response: { status: number; headers: [string, string][]; body: string };
    }[];
    const mine = loadRecorded();
    expect(mine.map((e) => e.file)).toEqual(index.map((e) => e.file));
    for (const [i, entry] of mine.entries()) {
      const theirs = index[i];
      if (!theirs) throw new Error(`no shared index entry ${i}`);
      const withoutLength = (h: [string, string][]) => h.filter(([n]) => n !== "Content-Length");
      expect({
        file: entry.file,
        operation: entry.operation,
        request: {
          method: entry.request.method,
          path: entry.request.path,
          query: entry.request.query,
        },
        status: entry.response.status,
        headers: withoutLength(entry.response.headers),
        body: masked(entry.response.body),
      }).toEqual({
        file: theirs.file,
        operation: theirs.operation,
        request: {
          method: theirs.request.method,
          path: theirs.request.path,
          query: theirs.request.query,
        },
        status: theirs.response.status,
        headers: withoutLength(theirs.response.headers),
        body: masked(theirs.response.body),
      });
    }
  });
});
