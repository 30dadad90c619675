// MongoDB Atlas organization invitations: create, refresh and cancel invitations, never removing a member who accepted.
package atlasorginvitations
