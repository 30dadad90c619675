/**
 * A cross-process lock on a directory (`mkdir` is atomic), so that jest workers that start at
 * the same time build, pack and install once. A lock left by a dead process is taken over.
 */
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function ownerOf(lockDir: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(join(lockDir, "owner"), "utf8")).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export async function withLock<T>(
  lockDir: string,
  fn: () => Promise<T>,
  options: { timeoutMs?: number; pollMs?: number } = {},
): Promise<T> {
  const { timeoutMs = 600_000, pollMs = 200 } = options;
  const deadline = Date.now() + timeoutMs;
  let ownerless = 0;
  for (;;) {
    try {
      await mkdir(lockDir);
      await writeFile(join(lockDir, "owner"), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = await ownerOf(lockDir);
    // No owner file for several polls in a row: its creator died between mkdir and writeFile.
    ownerless = owner === undefined ? ownerless + 1 : 0;
    if ((owner !== undefined && !isAlive(owner)) || ownerless > 25) {
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for the lock ${lockDir} (held by pid ${owner})`);
    await delay(pollMs);
  }
  try {
    return await fn();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
