package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/activecheck"
	"github.com/vigil-med/vigil/internal/discovery"
	"github.com/vigil-med/vigil/internal/domain"
)

func (a *app) checkCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "check", Short: "Explicit active checks (never run by default)"}
	var called, calling string
	var allow []string
	var interval, timeout time.Duration
	var save bool
	dicom := &cobra.Command{
		Use:   "dicom HOST[:PORT]...",
		Short: "Ask a DICOM node for its implementation class UID and version (one association, one C-ECHO)",
		Long: `Open one DICOM association with each HOST (port 104 unless given), send one
C-ECHO and release it, reading the implementation class UID and version name
the peer announces — facts that name its software and often its manufacturer.

This is an active check: it sends packets to the device. Vigil never runs it
on its own, refuses any address not on the allow-list given with --allow,
and waits --interval between hosts. With --save the answers are stored as
observations of the device with that address.`,
		Example: `  vigil check dicom 10.20.0.40 --called-ae CT01 --allow 10.20.0.0/24
  vigil check dicom pacs.ward.example:11112 --called-ae PACS --allow 10.20.0.9 --save`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("%s needs at least one HOST", cmd.CommandPath())
			}
			if called == "" {
				return usagef("--called-ae is required: the AE title the device answers to")
			}
			if len(allow) == 0 {
				return usagef("--allow is required: the addresses Vigil may probe (e.g. --allow 10.20.0.0/24)")
			}
			if len(called) > 16 || len(calling) > 16 || calling == "" {
				return usagef("AE titles are 1 to 16 characters")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			list, err := activecheck.ParseAllowList(allow)
			if err != nil {
				return usagef("%s", domain.ErrorMessage(err))
			}
			var results []*activecheck.DICOMResult
			for i, h := range args {
				target, err := list.Target(cmd.Context(), h)
				if err != nil {
					return err
				}
				if i > 0 {
					select { // the rate limit between hosts
					case <-time.After(interval):
					case <-cmd.Context().Done():
						return cmd.Context().Err()
					}
				}
				res, err := activecheck.EchoDICOM(cmd.Context(), target, called, calling, timeout)
				if err != nil {
					return err
				}
				results = append(results, res)
			}
			if save {
				if err := a.saveChecks(cmd, results); err != nil {
					return err
				}
			}
			if a.json {
				return a.printJSON(results)
			}
			t := newTable(a.out, "ADDRESS", "ASSOCIATION", "C-ECHO", "IMPLEMENTATION CLASS UID", "VERSION")
			for _, r := range results {
				assoc, echo := "accepted", "—"
				if !r.Accepted {
					assoc = r.Reason
				}
				if r.EchoStatus != nil {
					echo = "failed"
					if *r.EchoStatus == 0 {
						echo = "success"
					}
				}
				t.row(r.Address, assoc, echo, r.ImplClassUID, r.ImplVersion)
			}
			return t.flush()
		},
	}
	fl := dicom.Flags()
	fl.StringVar(&called, "called-ae", "", "the AE title of the device (required)")
	fl.StringVar(&calling, "calling-ae", "VIGIL", "the AE title Vigil calls from")
	fl.StringArrayVar(&allow, "allow", nil, "an address or range Vigil may probe (repeatable; required)")
	fl.DurationVar(&interval, "interval", time.Second, "wait between hosts")
	fl.DurationVar(&timeout, "timeout", 10*time.Second, "give up on a host after this long")
	fl.BoolVar(&save, "save", false, "store the answers as observations of the devices")
	cmd.AddCommand(dicom)
	return cmd
}

// saveChecks stores check results as discovery observations.
func (a *app) saveChecks(cmd *cobra.Command, results []*activecheck.DICOMResult) error {
	ctx, st, _, err := a.tenantCtx(cmd.Context())
	if err != nil {
		return err
	}
	var sum discoverSummary
	eng := discovery.New(discovery.Options{Source: "check:dicom", ReuseFlows: true}, storeSink(st, &sum))
	for _, r := range results {
		for _, o := range r.Observations() {
			eng.Observe(o)
		}
	}
	if err := eng.Flush(discoveryCtx(ctx, "check:dicom"), true); err != nil {
		return err
	}
	fmt.Fprintf(a.err, "Saved %d observation(s); %d new device(s).\n", sum.Observations, sum.NewDevices)
	return nil
}
