/**
 * Who declares whom, within one deployment. One host process serves a whole deployment (Pulumi
 * dynamic-provider host), and the runtime keeps one provider per process, so this registry sees
 * every create of the deployment:
 * - a second create for the same person in the same organization (any letter case) is refused
 *   before any API call, whether the two run at once or one after the other: sharing one
 *   invitation would let destroying either resource cancel the other's;
 * - a create is refused when `check` saw, for the same person, both a resource whose state already
 *   holds their invitation and a new one: the new one would adopt that invitation. This covers a
 *   duplicate added to a stack that already manages the person, which no create of the earlier
 *   resource reveals (it is unchanged). The engine checks every resource of the program, changed
 *   or not, before it creates it; a create re-asks right before it adopts, after its look-ups;
 * - a delete of an invitation that a create of this deployment adopted is skipped: that is a
 *   resource renamed or replaced without an alias (create-before-delete), and cancelling would
 *   take the invitation from the resource that now manages it;
 * - a delete of a pending invitation is skipped too when a `check` of this deployment saw another
 *   resource that keeps the person's invitation (its old inputs declare the person): two
 *   resources that hold one invitation, as two `pulumi import`s of one id leave them, or the new
 *   half of a replacement that deletes first without a change of person (`--replace`,
 *   `replaceOnChanges`), which then adopts the invitation instead of sending another. Under the
 *   engine a resource being deleted is not checked in the same deployment unless it is such a
 *   new half; where URNs are known (the plugin), the deleted resource's own check never counts;
 * - where `check` knows each resource's URN (the provider plugin), a second resource declaring
 *   the person is refused at `check`, naming the first, as the program's marks do for the
 *   dynamic provider.
 * The program marks duplicates too (program-claims.ts), which `check` refuses at preview; this
 * registry is the provider's own guard, for values the program learns late.
 */
import { InvitationDeclaredTwiceError } from "./errors";
import { personKey } from "./identity";
import { sameInvitation } from "./same-invitation";
import type { InvitationFacts } from "./same-invitation";

interface Claim {
  username: string;
  /** What is known of the pre-existing invitation the claiming create adopted, if it adopted one. */
  adopted: InvitationFacts | undefined;
}

/** What the `check`s of this deployment saw declare one person. */
interface Checked {
  /** The spelling of a resource whose state holds the person's invitation, if one was checked. */
  keeper: string | undefined;
  /** Whether a resource that does not hold it (a new one) declares the person too. */
  fresh: boolean;
  /** The URN of the first resource checked for the person, where `check` was told it. */
  urn: string | undefined;
  /** The spelling the first resource checked for the person declared. */
  username: string;
  /** The URN of each resource checked that keeps the invitation; undefined where not told. */
  keeperUrns: (string | undefined)[];
}

/** Another resource that declares the same person, as `checkedDeclaration` found it. */
export interface OtherDeclaration {
  /** Its URN (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
  urn: string;
  /** Its Pulumi name: the URN's last `::` part. */
  name: string;
  /** The spelling it declared. */
  username: string;
}

export class Claims {
  private readonly byPerson = new Map<string, Claim>();
  private readonly checked = new Map<string, Checked>();
  private readonly retainOnReplace = new Set<string>();

  /**
   * Records one `check`: a resource declares the person; `keeps` when its old inputs declared the
   * same person in the same organization (a resource with state, not a replacement by another).
   * Returns the other resource when `urn` is given and a check of this deployment already saw
   * another URN declare the person (a check repeated for one URN is not another resource).
   */
  checkedDeclaration(
    orgId: string,
    username: string,
    keeps: boolean,
    urn?: string,
  ): OtherDeclaration | undefined {
    const key = personKey(orgId, username);
    const seen = this.checked.get(key);
    this.checked.set(key, {
      keeper: seen?.keeper ?? (keeps ? username : undefined),
      fresh: (seen?.fresh ?? false) || !keeps,
      urn: seen?.urn ?? urn,
      username: seen?.username ?? username,
      keeperUrns: keeps ? [...(seen?.keeperUrns ?? []), urn] : (seen?.keeperUrns ?? []),
    });
    const first = seen?.urn;
    if (seen === undefined || urn === undefined || first === undefined || first === urn) {
      return undefined;
    }
    return { urn: first, name: first.split("::").pop() ?? first, username: seen.username };
  }

  /**
   * Whether a `check` of this deployment saw another resource keep the person's invitation (its
   * state holds it): one whose URN differs from `urn`, or any, where either URN is not known.
   */
  keptByAnother(orgId: string, username: string, urn?: string): boolean {
    const keepers = this.checked.get(personKey(orgId, username))?.keeperUrns ?? [];
    return keepers.some((keeper) => keeper === undefined || urn === undefined || keeper !== urn);
  }

  /**
   * @throws InvitationDeclaredTwiceError when `check` saw a resource that keeps the person's
   * invitation and another that declares them anew
   */
  assertSole(orgId: string, username: string): void {
    const seen = this.checked.get(personKey(orgId, username));
    if (seen?.keeper !== undefined && seen.fresh) {
      throw new InvitationDeclaredTwiceError({
        orgId,
        username,
        otherUsername: seen.keeper,
        alreadyManaged: true,
      });
    }
  }

  /**
   * Claims the person for one create; the returned function gives the claim back if that create
   * fails.
   * @throws InvitationDeclaredTwiceError when a create of this deployment already claimed them,
   * or when `assertSole` refuses
   */
  claim(orgId: string, username: string): () => void {
    this.assertSole(orgId, username);
    const key = personKey(orgId, username);
    const other = this.byPerson.get(key);
    if (other) {
      throw new InvitationDeclaredTwiceError({ orgId, username, otherUsername: other.username });
    }
    const claim: Claim = { username, adopted: undefined };
    this.byPerson.set(key, claim);
    return () => {
      if (this.byPerson.get(key) === claim) this.byPerson.delete(key);
    };
  }

  /** The create that claimed the person adopted an invitation that existed before it. */
  adopted(orgId: string, username: string, facts: InvitationFacts): void {
    const claim = this.byPerson.get(personKey(orgId, username));
    if (claim) {
      const { invitationId, userId, createdAt, expiresAt, inviterUsername } = facts;
      claim.adopted = { invitationId, userId, createdAt, expiresAt, inviterUsername };
    }
  }

  /**
   * Whether a create of this deployment adopted certainly this invitation (same-invitation.ts):
   * by id, or, for state written on the other Atlas API, by when and by whom it was sent.
   */
  adoptedInThisDeployment(orgId: string, username: string, facts: InvitationFacts): boolean {
    const adopted = this.byPerson.get(personKey(orgId, username))?.adopted;
    return adopted !== undefined && sameInvitation(adopted, facts);
  }

  /**
   * Records what `diff` saw: the resource with id `id` is being replaced by a declaration that
   * says `onAccepted: "retain"`. Its old half's delete, later in the same deployment, follows the
   * new declaration (issue 19, item 3(a)): the user asked for retain in the very edit that
   * replaces the resource, and the delete only ever receives the old inputs.
   */
  replacedWithRetain(id: string): void {
    this.retainOnReplace.add(id);
  }

  /** Whether `diff` saw the resource with id `id` replaced by a declaration saying "retain". */
  retainsReplaced(id: string): boolean {
    return this.retainOnReplace.has(id);
  }
}
