// Command atlas-invitations-go invites one person to a MongoDB Atlas organization with the
// generated Go SDK, and deploys itself through the Pulumi Automation API: the program below runs
// inside this process (an inline program), so the pulumi CLI is all it needs, no
// pulumi-language-go.
//
//	go run . up        # or preview, refresh, destroy
//	go run . -stack prod up
//
// The project is Pulumi.yaml in the working directory; the stack is chosen or created in the
// backend the CLI is logged in to (or PULUMI_BACKEND_URL). Stack config: orgId (the
// organization's 24-hex id) and username (the address to invite). The provider reads its
// settings from atlasorginvitations:* config (pulumi config set atlasorginvitations:publicKey ...,
// pulumi config set --secret atlasorginvitations:privateKey ...) or from the MONGODB_ATLAS_*
// variables.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/pulumi-atlas-org-invitations/sdk/go/atlasorginvitations"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// program declares the invitation, as a pulumi.Run program would.
func program(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")
	invitation, err := atlasorginvitations.NewOrgInvitation(ctx, "invitation",
		&atlasorginvitations.OrgInvitationArgs{
			OrgId:    pulumi.String(cfg.Require("orgId")),
			Username: pulumi.String(cfg.Require("username")),
			Roles:    pulumi.StringArray{pulumi.String("ORG_MEMBER")},
		})
	if err != nil {
		return err
	}
	// The resource id: the invitation's id on the invites API, the user's id on the org users API.
	ctx.Export("invitationId", invitation.ID())
	ctx.Export("status", invitation.Status)
	return nil
}

// errStreamed marks a failed command whose output was streamed already: the Automation API's
// error repeats all of it.
var errStreamed = errors.New("the pulumi CLI exited non-zero (its output is above)")

func run(ctx context.Context, stackName, command string) error {
	dir, err := os.Getwd()
	if err != nil {
		return err
	}
	stack, err := auto.UpsertStackInlineSource(ctx, stackName, "atlas-invitations-go", program,
		auto.WorkDir(dir))
	if err != nil {
		return err
	}
	switch command {
	case "preview":
		_, err = stack.Preview(ctx, optpreview.ProgressStreams(os.Stdout),
			optpreview.ErrorProgressStreams(os.Stderr))
	case "up":
		_, err = stack.Up(ctx, optup.ProgressStreams(os.Stdout), optup.ErrorProgressStreams(os.Stderr))
	case "refresh":
		_, err = stack.Refresh(ctx, optrefresh.ProgressStreams(os.Stdout),
			optrefresh.ErrorProgressStreams(os.Stderr))
	case "destroy":
		_, err = stack.Destroy(ctx, optdestroy.ProgressStreams(os.Stdout),
			optdestroy.ErrorProgressStreams(os.Stderr))
	default:
		return fmt.Errorf("unknown command %q: expected preview, up, refresh or destroy", command)
	}
	if err != nil {
		return errStreamed
	}
	return nil
}

func main() {
	stackName := flag.String("stack", "dev", "the stack to select, or create")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "Usage: %s [-stack NAME] preview|up|refresh|destroy\n",
			os.Args[0])
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	// Ctrl-C cancels the context, which the Automation API passes on to the CLI as an interrupt.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *stackName, flag.Arg(0)); err != nil {
		fmt.Fprintf(os.Stderr, "%s failed: %v\n", flag.Arg(0), err)
		os.Exit(1)
	}
}
