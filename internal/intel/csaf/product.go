package csaf

import (
	"slices"
	"strings"

	"github.com/vigil-med/vigil/internal/domain"
	"github.com/vigil-med/vigil/internal/intel/feed"
)

// branchPath is what the branches above a product say about it.
type branchPath struct {
	vendor, family, name, version, versionRange string
	extra                                       []string // patch_level, service_pack names, in tree order
}

// productTree flattens the product tree (3.2.2) into one product per
// product id: branch leaves, then full_product_names, then relationships.
// A branch leaf takes its vendor, product name (or, lacking one, product
// family, or lacking both, its own full name), version or version range
// from the branches above it; a
// product_version written as a vers: range is kept as a range; patch_level
// and service_pack names are appended to the version ("3.1.2 SP1").
// architecture, host_name, language, legacy and specification branches are
// checked but not kept. A full_product_names entry has no branches: its
// Name is its full name. A relationship product takes the vendor, name and
// version of its product_reference (the component) and records both ids.
func (a *adapter) productTree(pt *productTree) []domain.Product {
	var out []domain.Product
	at := map[string]int{}
	add := func(path string, p domain.Product) {
		if p.ID == "" {
			return
		}
		if a.defined[p.ID] {
			a.p.Add(path+".product_id", "product id %q is defined twice", p.ID)
			return
		}
		a.defined[p.ID] = true
		at[p.ID] = len(out)
		out = append(out, p)
	}
	for i := range pt.Branches {
		a.branch(&pt.Branches[i], feed.Index("$.product_tree.branches", i), branchPath{}, add)
	}
	for i := range pt.FullProductNames {
		path := feed.Index("$.product_tree.full_product_names", i)
		p := a.fullProduct(path, &pt.FullProductNames[i])
		p.Name = p.FullName
		add(path, p)
	}
	for i := range pt.Relationships {
		r := &pt.Relationships[i]
		path := feed.Index("$.product_tree.relationships", i)
		a.oneOf(path+".category", r.Category, relationCats)
		a.required(path+".product_reference", r.ProductReference)
		a.required(path+".relates_to_product_reference", r.RelatesToProductReference)
		if r.ProductReference != "" {
			a.refs = append(a.refs, ref{id: r.ProductReference, path: path + ".product_reference"})
		}
		if r.RelatesToProductReference != "" {
			a.refs = append(a.refs, ref{id: r.RelatesToProductReference, path: path + ".relates_to_product_reference"})
		}
		p := a.fullProduct(path+".full_product_name", &r.FullProductName)
		p.Relationship = r.Category
		p.ComponentID = r.ProductReference
		p.PlatformID = r.RelatesToProductReference
		add(path+".full_product_name", p)
	}
	for i := range out {
		p := &out[i]
		if p.Relationship == "" {
			continue
		}
		if j, ok := at[p.ComponentID]; ok && j != i {
			c := out[j]
			p.Vendor, p.Name, p.Version, p.VersionRange = c.Vendor, c.Name, c.Version, c.VersionRange
		}
	}
	for i, g := range pt.ProductGroups {
		path := feed.Index("$.product_tree.product_groups", i)
		a.required(path+".group_id", g.GroupID)
		if len(g.ProductIDs) < 2 {
			a.p.Add(path+".product_ids", "a product group needs at least two product ids")
		}
		a.productIDs(path+".product_ids", g.ProductIDs)
		if g.GroupID == "" {
			continue
		}
		if a.groups[g.GroupID] != nil {
			a.p.Add(path+".group_id", "group id %q is defined twice", g.GroupID)
			continue
		}
		a.groups[g.GroupID] = append([]string{}, g.ProductIDs...)
	}
	return out
}

func (a *adapter) branch(b *branch, path string, bp branchPath, add func(string, domain.Product)) {
	a.oneOf(path+".category", b.Category, branchCats)
	a.required(path+".name", b.Name)
	name := strings.TrimSpace(b.Name)
	switch b.Category {
	case "vendor":
		bp.vendor = name
	case "product_family":
		bp.family = name
	case "product_name":
		bp.name = name
	case "product_version":
		if strings.HasPrefix(name, "vers:") {
			bp.versionRange = name
		} else {
			bp.version = name
		}
	case "product_version_range":
		bp.versionRange = name
	case "patch_level", "service_pack":
		bp.extra = append(slices.Clip(bp.extra), name)
	}
	switch hasBranches, hasProduct := len(b.Branches) > 0, b.Product != nil; {
	case hasBranches && hasProduct:
		a.p.Add(path, "a branch holds either branches or a product, not both")
	case !hasBranches && !hasProduct:
		a.p.Add(path, "a branch holds branches or a product; this one holds neither")
	}
	if b.Product != nil {
		p := a.fullProduct(path+".product", b.Product)
		p.Vendor = bp.vendor
		p.Name = bp.name
		if p.Name == "" {
			p.Name = bp.family
		}
		if p.Name == "" {
			p.Name = p.FullName // a leaf with no product_name or product_family above it
		}
		p.Version = strings.TrimSpace(bp.version + " " + strings.Join(bp.extra, " "))
		p.VersionRange = bp.versionRange
		add(path+".product", p)
	}
	for i := range b.Branches {
		a.branch(&b.Branches[i], feed.Index(path+".branches", i), bp, add)
	}
}

// fullProduct checks a full product name (3.1.3) and returns its product
// with the identification helper's CPE, PURL, model and serial numbers
// and SKUs.
func (a *adapter) fullProduct(path string, f *fullProductName) domain.Product {
	a.required(path+".name", f.Name)
	a.required(path+".product_id", f.ProductID)
	p := domain.Product{ID: f.ProductID, FullName: strings.TrimSpace(f.Name)}
	if h := f.Helper; h != nil {
		p.CPE, p.PURL = h.CPE, h.PURL
		p.Models, p.Serials, p.SKUs = h.ModelNumbers, h.SerialNumbers, h.SKUs
		if h.CPE != "" && !strings.HasPrefix(h.CPE, "cpe:2.3:") && !strings.HasPrefix(strings.ToLower(h.CPE), "cpe:/") {
			a.p.Add(path+".product_identification_helper.cpe", "%q is not a CPE 2.2 URI or 2.3 formatted string", h.CPE)
		}
		if h.PURL != "" && !strings.HasPrefix(h.PURL, "pkg:") {
			a.p.Add(path+".product_identification_helper.purl", "%q is not a package URL (pkg:…)", h.PURL)
		}
	}
	return p
}
