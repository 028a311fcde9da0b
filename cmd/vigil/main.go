// Command vigil is Vigil's single binary: the CLI, the web console and API
// (vigil serve), the sensor and the demo.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // sites name IANA time zones; hosts without zoneinfo still have them

	"github.com/vigil-med/vigil/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
