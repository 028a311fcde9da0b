package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/domain"
)

func (a *app) flowsCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "flows", Aliases: []string{"flow"}, Short: "Show who talks to whom: flows learned by discovery"}
	var f domain.FlowFilter
	var device string
	var limit int
	list := &cobra.Command{
		Use:   "list",
		Short: "List flows of the practice or of one device",
		Long: `List aggregated flows: one line per device, peer, transport, port and
application protocol, with packets, bytes and when it was first and last seen.
Flows come from "vigil discover pcap", "vigil discover import" (Zeek conn.log)
and the sensor.`,
		Example: `  vigil flows list --device CT-01
  vigil flows list --app dicom --json
  vigil flows list --peer 10.20.0.9 --port 104`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.Transport, f.App = strings.ToLower(f.Transport), strings.ToLower(f.App)
			if limit < 0 {
				return usagef("--limit %d: give how many flows to print, or leave it out for all", limit)
			}
			if ps := f.Check(); len(ps) > 0 {
				return usagef("--%s: %s", ps[0].Field, ps[0].Message)
			}
			ctx, st, _, err := a.tenantCtx(cmd.Context())
			if err != nil {
				return err
			}
			if device != "" {
				d, err := st.FindDevice(ctx, device)
				if err != nil {
					return err
				}
				f.DeviceID = d.ID
			}
			var out []*domain.Flow
			more := false
			for {
				f.Limit = 1000
				if limit > 0 {
					f.Limit = min(1000, limit-len(out))
				}
				page, next, err := st.FindFlows(ctx, f)
				if err != nil {
					return err
				}
				more = next
				out = append(out, page...)
				if !more || len(page) == 0 || (limit > 0 && len(out) >= limit) {
					break
				}
				f.AfterID = page[len(page)-1].ID
			}
			if a.json {
				return a.printJSON(nonNil(out))
			}
			if len(out) == 0 {
				if f != (domain.FlowFilter{Limit: f.Limit}) {
					fmt.Fprintln(a.out, "No flows match these filters.")
				} else {
					fmt.Fprintln(a.out, "No flows yet. Learn them with: vigil discover pcap FILE")
				}
				return nil
			}
			t := newTable(a.out, "DEVICE", "LOCAL", "DIR", "PEER", "SERVICE", "APP", "PACKETS", "BYTES", "FIRST SEEN", "LAST SEEN")
			for _, fl := range out {
				dir := "<-"
				if fl.Outbound {
					dir = "->"
				}
				svc := fl.Transport
				if fl.Port != 0 {
					svc += "/" + strconv.Itoa(fl.Port)
				}
				t.row(strconv.FormatInt(fl.DeviceID, 10), fl.LocalIP, dir, fl.PeerIP, svc, fl.App, strconv.FormatInt(fl.Packets, 10),
					humanBytes(fl.Bytes), fl.FirstSeen.UTC().Format("2006-01-02 15:04"), fl.LastSeen.UTC().Format("2006-01-02 15:04"))
			}
			if err := t.flush(); err != nil {
				return err
			}
			if more {
				fmt.Fprintf(a.out, "Only the first %d shown; there are more (a larger --limit, or none for all).\n", len(out))
			}
			return nil
		},
	}
	fl := list.Flags()
	fl.StringVar(&device, "device", "", "only this device (id, asset tag, serial or MAC)")
	fl.StringVar(&f.PeerIP, "peer", "", "only flows with this peer address")
	fl.StringVar(&f.Transport, "transport", "", "only tcp, udp, icmp or other")
	fl.IntVar(&f.Port, "port", 0, "only this server port")
	fl.StringVar(&f.App, "app", "", "only this application protocol (dicom, hl7, http, tls, dns…)")
	fl.IntVar(&limit, "limit", 0, "print at most N flows (default all)")
	cmd.AddCommand(list)
	return cmd
}
