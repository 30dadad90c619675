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
 *   take the invitation from the resource that now manages it.
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
}

export class Claims {
  private readonly byPerson = new Map<string, Claim>();
  private readonly checked = new Map<string, Checked>();
  private readonly retainOnReplace = new Set<string>();

  /**
   * Records one `check`: a resource declares the person; `keeps` when its old inputs declared the
   * same person in the same organization (a resource with state, not a replacement by another).
   */
  checkedDeclaration(orgId: string, username: string, keeps: boolean): void {
    const key = personKey(orgId, username);
    const seen = this.checked.get(key) ?? { keeper: undefined, fresh: false };
    this.checked.set(key, {
      keeper: seen.keeper ?? (keeps ? username : undefined),
      fresh: seen.fresh || !keeps,
    });
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
