/**
 * Each client function is one call of its entry in the operations table (operations.ts): the
 * request it hands the transport, pinned field by field (method, encoded path, query, body,
 * version, answer check, invitation limit, `landed`, guard, mapping), and the rate-limit scope,
 * which comes from the call's org id, never from its path.
 */
import {
  invitationListProblem,
  invitationProblem,
  userProblem,
  usersPageProblem,
} from "../../provider/atlas/answer-shapes";
import { Budget, systemClock } from "../../provider/atlas/budget";
import { AtlasApiError } from "../../provider/atlas/errors";
import type { GuardReadRequest, Transport, TransportRequest } from "../../provider/atlas/http";
import * as invites from "../../provider/atlas/invitations";
import { OPERATIONS, pathOf, scopeOf } from "../../provider/atlas/operations";
import { viewsFor } from "../../provider/atlas/pacing";
import { atlasProcessState } from "../../provider/atlas/process-state";
import { DEFAULT_RETRY_POLICY } from "../../provider/atlas/retry";
import * as users from "../../provider/atlas/users";

/** An org id that needs encoding: the path carries it encoded, the scope as it is. */
const ORG = "org/1 é";
const ORG_SEGMENT = encodeURIComponent(ORG);
const ID = "0123456789abcdef01234567";
const INVITES = `/api/atlas/v2/orgs/${ORG_SEGMENT}/invites`;
const USERS = `/api/atlas/v2/orgs/${ORG_SEGMENT}/users`;

/** A transport that records each request and answers `answer`. */
function recorder(answer: (request: TransportRequest<unknown>) => unknown = () => undefined) {
  const seen: TransportRequest<unknown>[] = [];
  const http: Transport = {
    policy: DEFAULT_RETRY_POLICY,
    clock: systemClock,
    budget: () => new Budget(1_000, systemClock),
    request: async <T>(request: TransportRequest<T>): Promise<T> => {
      seen.push(request as TransportRequest<unknown>);
      return answer(request as TransportRequest<unknown>) as T;
    },
  };
  return { http, seen };
}

const budget = new Budget(1_000, systemClock);
const landed = async (): Promise<undefined> => undefined;
const scope = { organization: ORG };
const invitation = { username: "ada@example.com", roles: ["ORG_MEMBER"] };
const orgUser = { username: "ada@example.com", roles: { orgRoles: ["ORG_MEMBER"] } };

describe("the requests of the client functions", () => {
  it("sends the invitation operations in 2023-01-01, in the organization's scope", async () => {
    const { http, seen } = recorder();
    await invites.listOrgInvites(http, ORG, { username: "ada@example.com" }, { budget });
    await invites.createOrgInvite(http, ORG, invitation, { budget, landed });
    await invites.getOrgInvite(http, ORG, ID, { budget });
    await invites.updateOrgInviteById(http, ORG, ID, { roles: ["ORG_OWNER"] }, { budget });
    await invites.deleteOrgInvite(http, ORG, ID, { budget });
    const version = "2023-01-01";
    expect(seen).toEqual([
      {
        method: "GET",
        path: INVITES,
        query: { username: "ada@example.com" },
        version,
        scope,
        expect: invitationListProblem,
        budget,
        sendsInvitation: false,
      },
      {
        method: "POST",
        path: INVITES,
        body: invitation,
        version,
        scope,
        expect: invitationProblem,
        budget,
        sendsInvitation: true,
        landed,
      },
      {
        method: "GET",
        path: `${INVITES}/${ID}`,
        version,
        scope,
        expect: invitationProblem,
        budget,
        sendsInvitation: false,
      },
      {
        method: "PATCH",
        path: `${INVITES}/${ID}`,
        body: { roles: ["ORG_OWNER"] },
        version,
        scope,
        expect: invitationProblem,
        budget,
        sendsInvitation: true,
      },
      {
        method: "DELETE",
        path: `${INVITES}/${ID}`,
        version,
        scope,
        budget,
        sendsInvitation: false,
      },
    ]);
  });

  it("sends the org user operations in 2025-02-19, in the organization's scope", async () => {
    const { http, seen } = recorder((r) => (r.method === "GET" ? { results: [] } : undefined));
    await users.listOrgUsers(http, ORG, { username: "ada@example.com" }, { budget });
    await users.getOrgUser(http, ORG, ID, { budget });
    await users.createOrgUser(http, ORG, orgUser, { budget, landed });
    await users.updateOrgUser(http, ORG, ID, { teamIds: [] }, { budget });
    await users.removeOrgUser(http, ORG, ID, { budget });
    const version = "2025-02-19";
    expect(seen).toEqual([
      {
        method: "GET",
        path: USERS,
        query: { username: "ada@example.com", itemsPerPage: 500, pageNum: 1 },
        version,
        scope,
        expect: usersPageProblem,
        budget,
        sendsInvitation: false,
      },
      {
        method: "GET",
        path: `${USERS}/${ID}`,
        version,
        scope,
        expect: userProblem,
        budget,
        sendsInvitation: false,
      },
      {
        method: "POST",
        path: USERS,
        body: orgUser,
        version,
        scope,
        expect: userProblem,
        budget,
        sendsInvitation: true,
        landed,
      },
      {
        method: "PATCH",
        path: `${USERS}/${ID}`,
        body: { teamIds: [] },
        version,
        scope,
        expect: userProblem,
        budget,
        sendsInvitation: true,
      },
      { method: "DELETE", path: `${USERS}/${ID}`, version, scope, budget, sendsInvitation: false },
    ]);
    // The query keeps its order on the wire: username, itemsPerPage, pageNum.
    expect(Object.keys(seen[0]?.query ?? {})).toEqual(["username", "itemsPerPage", "pageNum"]);
  });

  it("walks the pages of listOrgUsers while Atlas links a next one", async () => {
    const { http, seen } = recorder((r) => {
      const pageNum = Number(r.query?.["pageNum"]);
      return {
        results: [{ id: `u${pageNum}`, username: `u${pageNum}@x`, orgMembershipStatus: "PENDING" }],
        links: pageNum < 3 ? [{ rel: "next" }] : [],
      };
    });
    const all = await users.listAllOrgUsers(http, ORG, { budget });
    expect(all.map((u) => u.id)).toEqual(["u1", "u2", "u3"]);
    expect(seen.map((r) => r.query)).toEqual(
      [1, 2, 3].map((pageNum) => ({ itemsPerPage: 500, pageNum })),
    );
  });

  it("guards the writes to a pending user with a read of getOrgUser inside each attempt", async () => {
    const { http, seen } = recorder();
    await users.removePendingOrgUser(http, ORG, ID, { budget });
    await users.updatePendingOrgUser(http, ORG, ID, { teamIds: [] }, { budget });
    const [remove, update] = seen;
    expect(remove).toEqual({
      method: "DELETE",
      path: `${USERS}/${ID}`,
      version: "2025-02-19",
      scope,
      budget,
      sendsInvitation: false,
      guard: expect.any(Function),
      map: expect.any(Function),
    });
    // Atlas answers 204 with no body.
    expect(remove?.map?.(undefined)).toBe("removed");
    expect(update).toEqual({
      method: "PATCH",
      path: `${USERS}/${ID}`,
      body: { teamIds: [] },
      version: "2025-02-19",
      scope,
      expect: userProblem,
      budget,
      sendsInvitation: true,
      guard: expect.any(Function),
    });
    expect(update?.map).toBeUndefined();

    for (const guarded of [remove, update]) {
      const reads: GuardReadRequest[] = [];
      const reading =
        (status: string) =>
        async <U>(read: GuardReadRequest): Promise<U> => {
          reads.push(read);
          return { id: ID, username: "ada@example.com", orgMembershipStatus: status } as U;
        };
      await expect(guarded?.guard?.(reading("PENDING"))).resolves.toBeUndefined();
      await expect(guarded?.guard?.(reading("ACTIVE"))).resolves.toBe("active");
      await expect(guarded?.guard?.(reading("INVITATION_EXPIRED"))).resolves.toBe("not-pending");
      const gone = async (): Promise<never> => {
        throw new AtlasApiError({ method: "GET", path: "/", status: 404, body: {} });
      };
      await expect(guarded?.guard?.(gone)).resolves.toBe("not-pending");
      expect(reads).toEqual(
        Array(3).fill({ path: `${USERS}/${ID}`, version: "2025-02-19", expect: userProblem }),
      );
    }
  });

  it("refuses a path parameter that is not one segment before anything is sent", async () => {
    const { http, seen } = recorder();
    await expect(invites.getOrgInvite(http, ORG, "..")).rejects.toThrow(RangeError);
    await expect(users.removePendingOrgUser(http, ".", ID)).rejects.toThrow(RangeError);
    expect(seen).toEqual([]);
  });
});

describe("the rate-limit scope", () => {
  afterEach(() => atlasProcessState.reset());

  it("is the call's org id, as it is, while the path carries it encoded", () => {
    const params = { orgId: ORG, userId: ID };
    expect(pathOf(OPERATIONS.getOrgUser, params)).toBe(`${USERS}/${ID}`);
    expect(scopeOf(OPERATIONS.getOrgUser, params)).toEqual({ organization: ORG });
  });

  it("gives each organization of an origin one token bucket, and the origin one invitation view", () => {
    const origin = "https://cloud.mongodb.com";
    const a = viewsFor(origin, { organization: "a" }, false);
    const b = viewsFor(origin, { organization: "b" }, true);
    expect(a.invitation).toBeUndefined();
    expect(viewsFor(origin, { organization: "a" }, true).bucket).toBe(a.bucket);
    expect(b.bucket).not.toBe(a.bucket);
    expect(viewsFor(origin, { organization: "a" }, true).invitation).toBe(b.invitation);
    expect(viewsFor("http://127.0.0.1:1", { organization: "a" }, false).bucket).not.toBe(a.bucket);
  });
});
