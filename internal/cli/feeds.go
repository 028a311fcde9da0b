package cli

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel"
	"github.com/vigil-med/vigil/internal/lifecycle"
	"github.com/vigil-med/vigil/internal/store"
)

func (a *app) feedsCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "feeds", Aliases: []string{"feed"}, Short: "Import vulnerability intelligence: CSAF advisories, NVD/CVE records, KEV, EPSS, VEX"}
	cmd.AddCommand(&cobra.Command{
		Use:   "import PATH...",
		Short: "Import feed files or directories (recursively); the format is recognised from the content",
		Long: "Import CSAF 2.0 advisories (and CSAF VEX), NVD JSON 1.1 feeds, NVD API 2.0 pages, CVE JSON 5 records, the CISA KEV\n" +
			"catalogue, EPSS scores and VEX documents, gzipped or not. A file that is malformed is reported with its place\n" +
			"(file and JSON path) and skipped whole; the others are imported. Every practice's devices are then re-matched\n" +
			"and a summary says what changed.",
		Example: "  vigil feeds import ~/advisories/icsma-23-103-01.json\n  vigil feeds import ./csaf ./nvdcve-1.1-2024.json.gz known_exploited_vulnerabilities.json",
		Args: func(cmd *cobra.Command, args []string) error {
			return minArgs(cmd, args, 1, "at least one file or directory")
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			files, err := feedFiles(args)
			if err != nil {
				return err
			}
			inputs := make([]feedInput, len(files))
			for i, f := range files {
				inputs[i] = feedInput{name: f, open: func() (io.ReadCloser, error) { return os.Open(f) }}
			}
			return a.importFeeds(cmd.Context(), inputs)
		},
	})
	var urls []string
	sync := &cobra.Command{
		Use:     "sync --url URL...",
		Short:   "Download feeds over HTTP(S) and import them like files",
		Example: "  vigil feeds sync --url https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json",
		Args:    exactArgs(0, "no arguments (give --url)"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(urls) == 0 {
				return usagef("feeds sync needs at least one --url")
			}
			client := &http.Client{Timeout: 5 * time.Minute}
			inputs := make([]feedInput, len(urls))
			for i, u := range urls {
				inputs[i] = feedInput{name: u, open: func() (io.ReadCloser, error) { return download(cmd.Context(), client, u) }}
			}
			return a.importFeeds(cmd.Context(), inputs)
		},
	}
	sync.Flags().StringArrayVar(&urls, "url", nil, "a feed to download (repeat for several)")
	cmd.AddCommand(sync)
	return cmd
}

func minArgs(cmd *cobra.Command, args []string, n int, what string) error {
	if len(args) < n {
		return usagef("%s needs %s", cmd.CommandPath(), what)
	}
	return nil
}

type feedInput struct {
	name string
	open func() (io.ReadCloser, error)
}

func download(ctx context.Context, c *http.Client, url string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, domain.Errorf(domain.CodeInvalid, "%s is not a URL: %v", url, err)
	}
	req.Header.Set("User-Agent", "vigil/"+Version)
	resp, err := c.Do(req)
	if err != nil {
		return nil, domain.Errorf(domain.CodeInvalid, "cannot download %s: %v", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, domain.Errorf(domain.CodeInvalid, "%s answered %s", url, resp.Status)
	}
	return resp.Body, nil
}

// feedFiles expands directories into the files under them, sorted,
// leaving out signatures and checksums that sit beside advisories.
func feedFiles(args []string) ([]string, error) {
	var out []string
	for _, p := range args {
		info, err := os.Stat(p)
		if err != nil {
			return nil, domain.Errorf(domain.CodeInvalid, "cannot read %s: %v", p, err)
		}
		if !info.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
				return nil
			}
			for _, ext := range []string{".asc", ".sha256", ".sha512", ".sig", ".md", ".txt", ".html"} {
				if strings.HasSuffix(strings.ToLower(d.Name()), ext) {
					return nil
				}
			}
			out = append(out, path)
			return nil
		})
		if err != nil {
			return nil, domain.Errorf(domain.CodeInvalid, "cannot read %s: %v", p, err)
		}
	}
	slices.Sort(out)
	return out, nil
}

// importFeeds reads and stores each input (a bad one is skipped whole),
// re-matches the practices and prints the summary.
func (a *app) importFeeds(ctx context.Context, inputs []feedInput) error {
	st, err := a.store(ctx)
	if err != nil {
		return err
	}
	ctx = actorCtx(ctx)
	sum := &intel.ImportSummary{}
	progress := isTerminal(a.err) && !a.json
	for i, in := range inputs {
		if progress {
			fmt.Fprintf(a.err, "\r[%d/%d] %s\033[K", i+1, len(inputs), filepath.Base(in.name))
		}
		sum.Files++
		if err := importOne(ctx, st, in, sum); err != nil {
			sum.Skipped = append(sum.Skipped, intel.Skip{File: in.name, Err: domain.ErrorMessage(err)})
		}
	}
	if progress {
		fmt.Fprint(a.err, "\r\033[K")
	}
	if err := intel.Finish(ctx, st, sum); err != nil {
		return err
	}
	res, err := rematchAfter(ctx, st, sum)
	if err != nil {
		return err
	}
	sum.NewlyAffected = res.NewlyAffected
	rels, err := advisoryReleases(ctx, st, sum.Changed)
	if err != nil {
		return err
	}
	sum.Releases = len(rels)
	if a.json {
		return a.printJSON(sum)
	}
	fmt.Fprintf(a.out, "Read %d %s: %s.\n", sum.Files, plural(sum.Files, "file", "files"), sum)
	for _, s := range sum.Skipped {
		fmt.Fprintf(a.out, "  skipped (nothing from it stored): %s\n", s.Err)
	}
	if len(sum.Skipped) > 0 && len(sum.Skipped) == sum.Files {
		return domain.Errorf(domain.CodeInvalid, "no file could be imported")
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func importOne(ctx context.Context, st store.Store, in feedInput, sum *intel.ImportSummary) error {
	r, err := in.open()
	if err != nil {
		return domain.Errorf(domain.CodeInvalid, "%s: %v", in.name, err)
	}
	defer r.Close()
	doc, err := intel.ReadDocument(in.name, r)
	if err != nil {
		return err
	}
	return intel.Apply(ctx, st, doc, sum)
}

// rematchAfter re-matches every practice: only the devices the changed
// advisories name when nothing else changed, else all of them.
func rematchAfter(ctx context.Context, st store.Store, sum *intel.ImportSummary) (*domain.MatchResult, error) {
	if !sum.Reference && len(sum.Changed) == 0 {
		return &domain.MatchResult{}, nil
	}
	m, err := intel.Load(ctx, st)
	if err != nil {
		return nil, err
	}
	var only []string
	if !sum.Reference {
		only = sum.Changed
	}
	return intel.RematchAll(ctx, st, m, only)
}

// advisoryReleases records, in every practice, the firmware updates the
// advisories' vendor_fix remediations name for its models (after matching).
func advisoryReleases(ctx context.Context, st store.Store, ids []string) ([]*domain.FirmwareRelease, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	tenants, err := st.FindTenants(ctx)
	if err != nil {
		return nil, err
	}
	var out []*domain.FirmwareRelease
	svc := &lifecycle.Service{Store: st}
	for _, t := range tenants {
		rels, err := svc.AdvisoryReleases(domain.WithTenant(ctx, t.ID), ids)
		if err != nil {
			return nil, fmt.Errorf("practice %s: %w", t.Name, err)
		}
		out = append(out, rels...)
	}
	return out, nil
}

// isTerminal reports whether w is a terminal (progress is shown there).
// It is a variable so that tests can make their buffers one.
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
