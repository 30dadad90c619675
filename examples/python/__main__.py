"""One MongoDB Atlas organization invitation, declared with the generated Python SDK.

Stack config: ``orgId`` (the organization's 24-hex id) and ``username`` (the address to invite).
The provider reads its settings from ``atlasorginvitations:*`` config (``pulumi config set
atlasorginvitations:publicKey ...``, ``pulumi config set --secret atlasorginvitations:privateKey
...``) or from the ``MONGODB_ATLAS_*`` variables.
"""

import pulumi
import pulumi_atlasorginvitations as atlas

config = pulumi.Config()

invitation = atlas.OrgInvitation(
    "invitation",
    org_id=config.require("orgId"),
    username=config.require("username"),
    roles=["ORG_MEMBER"],
)

# `id` is the resource id: the invitation's id on the invites API, the user's id on the org users API.
pulumi.export("invitationId", invitation.id)
pulumi.export("status", invitation.status)
