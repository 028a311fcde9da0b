package importer_test

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/importer"
	"github.com/vigil-med/vigil/internal/importer/importertest"
)

const docPath = "../../docs/inventory-format.md"

// docSections renders the parts of docs/inventory-format.md that come from
// code: the field list, the enumerations with their synonyms, and the
// recognised column headers.
func docSections() map[string]string {
	var b strings.Builder
	sections := map[string]string{}

	b.WriteString("| Column | Label | List | Meaning |\n|---|---|---|---|\n")
	for _, f := range domain.DeviceFields() {
		list := ""
		if f.List {
			list = "yes"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", f.Field, f.Label, list, cell(f.Help))
	}
	sections["fields"] = b.String()

	b.Reset()
	enums := []struct {
		field domain.Field
		info  []domain.EnumInfo
	}{
		{domain.FieldCategory, domain.CategoryInfo()},
		{domain.FieldCriticality, domain.CriticalityInfo()},
		{domain.FieldPHI, domain.PHIInfo()},
		{domain.FieldPatchability, domain.PatchabilityInfo()},
		{domain.FieldLifecycle, domain.LifecycleInfo()},
	}
	for i, e := range enums {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "#### `%s`\n\n| Value | Label | Meaning | Also accepted |\n|---|---|---|---|\n", e.field)
		for _, v := range e.info {
			syn := make([]string, len(v.Synonyms))
			for j, s := range v.Synonyms {
				syn[j] = "`" + s + "`"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", v.Value, v.Label, cell(v.Meaning), strings.Join(syn, ", "))
		}
	}
	sections["enums"] = b.String()

	b.Reset()
	b.WriteString("| Field | Recognised column headers |\n|---|---|\n")
	for _, h := range importer.HeaderSynonyms() {
		names := make([]string, len(h.Names))
		for j, n := range h.Names {
			names[j] = "`" + strings.ReplaceAll(n, "|", `\|`) + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s |\n", h.Field, strings.Join(names, ", "))
	}
	sections["headers"] = b.String()
	return sections
}

func cell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

var generated = regexp.MustCompile(`(?s)(<!-- BEGIN GENERATED: ([a-z]+) -->\n)(.*?)(<!-- END GENERATED -->)`)

// Ensure the tables in docs/inventory-format.md that list fields,
// enumerations and header synonyms match the code; run with -update to
// regenerate them after changing the code.
func TestInventoryFormatDoc(t *testing.T) {
	doc, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatal(err)
	}
	sections := docSections()
	seen := map[string]bool{}
	out := generated.ReplaceAllStringFunc(string(doc), func(m string) string {
		parts := generated.FindStringSubmatch(m)
		name := parts[2]
		body, ok := sections[name]
		if !ok {
			t.Errorf("the document has a generated section %q the test does not know", name)
			return m
		}
		seen[name] = true
		return parts[1] + body + parts[4]
	})
	for name := range sections {
		if !seen[name] {
			t.Errorf("the document lacks the generated section %q (<!-- BEGIN GENERATED: %s --> … <!-- END GENERATED -->)", name, name)
		}
	}
	if out == string(doc) {
		return
	}
	if *importertest.Update {
		if err := os.WriteFile(docPath, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s is out of date with the code; run go test ./internal/importer -run TestInventoryFormatDoc -update", docPath)
}
