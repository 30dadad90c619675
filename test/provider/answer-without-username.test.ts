/**
 * `username` is optional in the spec's OrganizationInvitation (atlas-openapi/). An Atlas that
 * leaves it out of its invitation answers must not break a stack: the whole lifecycle runs on
 * the invites API through a forwarding server that strips `username` from every invitation the
 * emulator answers with, and state keeps the declared address (issue 19, item 7).
 */
import { request as httpRequest, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import type { OrgInvitationOutputs } from "../../provider/model";
import { useEmulator } from "../support/emulator";
import type { TestEmulator } from "../support/emulator";
import {
  ALICE,
  asProps,
  calls,
  directApi,
  envFor,
  freshProcessState,
  makeProvider,
} from "./helpers";

const emulator = useEmulator();
freshProcessState();

const INVITES_PATH = /^\/api\/atlas\/v2\/orgs\/[^/]+\/invites(\/[^/?]+)?(\?|$)/;

function withoutUsername(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(withoutUsername);
  if (typeof body !== "object" || body === null) return body;
  const { username: _dropped, ...rest } = body as Record<string, unknown>;
  return rest;
}

/** Forwards every request to the emulator; strips `username` from invitation answers. */
async function strippingProxy(
  emu: TestEmulator,
): Promise<{ baseUrl: string; stripped: number[]; server: Server }> {
  const target = new URL(emu.baseUrl);
  const stripped: number[] = [];
  const server = createServer((req, res) => {
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on("data", (c: Buffer) => chunks.push(c));
        answer.on("end", () => {
          let body = Buffer.concat(chunks);
          const headers = { ...answer.headers };
          const status = answer.statusCode ?? 502;
          if (INVITES_PATH.test(req.url ?? "") && status < 300 && body.length > 0) {
            const parsed: unknown = JSON.parse(body.toString("utf8"));
            body = Buffer.from(JSON.stringify(withoutUsername(parsed)));
            headers["content-length"] = String(body.length);
            stripped.push(status);
          }
          res.writeHead(status, headers);
          res.end(body);
        });
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stripped,
    server,
  };
}

describe("an Atlas whose invitation answers leave out username (optional in the spec)", () => {
  let proxy: Awaited<ReturnType<typeof strippingProxy>> | undefined;
  afterEach(() => {
    proxy?.server.close();
    proxy?.server.closeAllConnections();
    proxy = undefined;
  });

  it("creates, refreshes, updates and cancels the invitation, with the declared address in state throughout", async () => {
    const emu = emulator();
    proxy = await strippingProxy(emu);
    const { provider: p } = await makeProvider(emu, {
      api: "invites",
      env: { ...envFor(emu), MONGODB_ATLAS_BASE_URL: proxy.baseUrl },
    });
    const declared = {
      orgId: emu.orgId,
      username: ALICE,
      roles: ["ORG_MEMBER"],
      onAccepted: "fail",
    };

    const created = await p.create(declared);
    const outs = created.outs as OrgInvitationOutputs;
    expect(outs.username).toBe(ALICE);
    expect(emu.control.invitations(emu.orgId)).toHaveLength(1);

    const refreshed = await p.read(created.id, asProps(outs));
    expect((refreshed.props as OrgInvitationOutputs).username).toBe(ALICE);
    expect(refreshed.inputs).toMatchObject({ username: ALICE });

    const updated = await p.update(created.id, refreshed.props as OrgInvitationOutputs, {
      ...declared,
      roles: ["ORG_READ_ONLY"],
    });
    expect((updated.outs as OrgInvitationOutputs).username).toBe(ALICE);
    expect(emu.control.invitations(emu.orgId)[0]).toMatchObject({ roles: ["ORG_READ_ONLY"] });

    emu.log.clear();
    await p.delete(created.id, asProps(updated.outs as OrgInvitationOutputs));
    expect(calls(emu)).toEqual(["deleteOrgInvite"]);
    expect(emu.control.invitations(emu.orgId)).toHaveLength(0);
    // Every invitation answer on the way was stripped: the POST, the GET and the PATCH at least.
    expect(proxy.stripped.length).toBeGreaterThanOrEqual(3);
  });

  it("does not adopt a pending invitation it cannot tell is the person's: it sends its own", async () => {
    const emu = emulator();
    emu.control.setKnobs({ duplicateInvitePolicy: "duplicate" });
    const admins = await directApi(emu).createOrgInvite(emu.orgId, {
      username: ALICE,
      roles: ["ORG_MEMBER"],
    });
    proxy = await strippingProxy(emu);
    const { provider: p } = await makeProvider(emu, {
      api: "invites",
      env: { ...envFor(emu), MONGODB_ATLAS_BASE_URL: proxy.baseUrl },
    });
    emu.log.clear();
    const created = await p.create({
      orgId: emu.orgId,
      username: ALICE,
      roles: ["ORG_MEMBER"],
      onAccepted: "fail",
    });
    expect(calls(emu)).toEqual(expect.arrayContaining(["listOrgInvites", "createOrgInvite"]));
    expect(created.id).not.toBe(admins.id);
    expect((created.outs as OrgInvitationOutputs).username).toBe(ALICE);
    expect(emu.control.invitations(emu.orgId).map((i) => i.id)).toContain(admins.id);
  });
});
