package vigiltest

import (
	"bufio"
	"context"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// Tcpdump starts a capture (argv is the whole command: "tcpdump …", or
// "ip netns exec NS tcpdump …") and returns once tcpdump says it is
// listening, so nothing sent afterwards is missed. stop interrupts it and
// waits for it to finish writing its file; the capture is killed at the
// end of the test if stop was never called.
func Tcpdump(tb testing.TB, ctx context.Context, argv ...string) (stop func()) {
	tb.Helper()
	td := exec.CommandContext(ctx, argv[0], argv[1:]...)
	stderr, err := td.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := td.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { td.Process.Kill() })
	listening := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "listening on") {
				close(listening)
				break
			}
		}
		for sc.Scan() { // keep draining, so tcpdump never blocks on stderr
		}
	}()
	select {
	case <-listening:
	case <-ctx.Done():
		tb.Fatalf("%s did not start listening", strings.Join(argv, " "))
	}
	// SIGINT, not Kill: "ip netns exec" runs tcpdump in its own process,
	// which passes the signal on, and tcpdump flushes its file on SIGINT.
	return func() {
		td.Process.Signal(syscall.SIGINT)
		td.Wait()
	}
}
