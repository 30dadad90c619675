/**
 * The typed operations the provider needs from the Atlas Admin API v2. The lifecycle layer codes
 * against this interface; `createAtlasClient` (client.ts) implements it over one HTTP stack.
 */
import type {
  OrgInvitation,
  OrgInvitationRequest,
  OrgInvitationUpdateRequest,
  OrgUser,
} from "./types";

export interface AtlasApi {
  /** listOrgInvites: GET /orgs/{orgId}/invites[?username=]. Pending invitations only. */
  listOrgInvites(orgId: string, options?: { username?: string }): Promise<OrgInvitation[]>;
  /** createOrgInvite: POST /orgs/{orgId}/invites. Atlas answers 200. */
  createOrgInvite(orgId: string, body: OrgInvitationRequest): Promise<OrgInvitation>;
  /** getOrgInvite: GET /orgs/{orgId}/invites/{invitationId}. */
  getOrgInvite(orgId: string, invitationId: string): Promise<OrgInvitation>;
  /** updateOrgInviteById: PATCH /orgs/{orgId}/invites/{invitationId}. */
  updateOrgInviteById(
    orgId: string,
    invitationId: string,
    body: OrgInvitationUpdateRequest,
  ): Promise<OrgInvitation>;
  /** deleteOrgInvite: DELETE /orgs/{orgId}/invites/{invitationId}. Atlas answers 204. */
  deleteOrgInvite(orgId: string, invitationId: string): Promise<void>;
  /**
   * listOrgUsers with `?username=` and the 2025-02-19 media type (the only version that honours
   * the filter). Returns the one user with that username (case-insensitive), or undefined.
   */
  findOrgUserByUsername(orgId: string, username: string): Promise<OrgUser | undefined>;
  /** getOrgUser: GET /orgs/{orgId}/users/{userId}, 2025-02-19. */
  getOrgUser(orgId: string, userId: string): Promise<OrgUser>;
}
