// Command worker delivers invitations: it takes tasks from the asynq queue,
// generates credentials, sends them by e-mail or SMS, retries transient
// failures and records each user as invited or in error. Run as many
// replicas as the providers allow; each also reconciles PostgreSQL with
// Redis so that no invitation stays waiting forever.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/inviter/inviter/pkg/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := app.Worker(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}
