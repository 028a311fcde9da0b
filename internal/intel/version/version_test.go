package version

import (
	"errors"
	"testing"
)

func TestCompare(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"A.02.13", "A.02.13", 0},
		{"A.02.13", "A.02.14", -1},
		{"A.02.13", "B.01.00", -1},
		{"A.03.09", "A.01.09", 1},
		{"3.1.2 SP1", "3.1.2", 1},
		{"3.1.2 SP1", "3.1.2 SP2", -1},
		{"3.1.2 SP1", "3.1.3", -1},
		{"VC10B", "VC10A", 1},
		{"VC10B", "VC11", -1},
		{"11.2.0.15", "11.2.0.9", 1},
		{"11.2.0.15", "11.10", -1},
		{"v2.0 build 1123", "2.0 build 1200", -1},
		{"v2.0 build 1123", "2.1", -1},
		{"v2.0", "2.0", 0},
		{"2.0", "2", 0},
		{"2.0.0", "2", 0},
		{"R2.3", "R2.4", -1},
		{"R2.10", "R2.9", 1},
		{"4.1.0-rc1", "4.1.0", -1},
		{"4.1.0-rc1", "4.1.0-rc2", -1},
		{"4.1.0-beta", "4.1.0-rc1", -1},
		{"4.1.0", "4.1.0-alpha", 1},
		{"2.6A", "2.6", 1},
		{"2.6A", "2.7A", -1},
		{"2.6A", "2.6B", -1},
		{"BT02", "BT06", -1},
		{"A10", "A11", -1},
		{"K", "N", -1},
		{"12.2.1.5", "12.2.x.x", 0},
		{"2.3", "2.X", 0},
		{"012U000040", "012U000061", -1},
		{"2023.3_Build_9342", "2024.2", -1},
		{"5.17.1-754993421", "5.17.1-754993422", -1},
		{"S4 A.07.107", "S4 A.07.108", -1},
		{"R4.1L1", "R4.1L2", -1},
	} {
		got, err := Compare(tc.a, tc.b)
		if err != nil {
			t.Errorf("Compare(%q, %q): %v", tc.a, tc.b, err)
			continue
		}
		if got != tc.want {
			t.Errorf("Compare(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if back, _ := Compare(tc.b, tc.a); back != -tc.want {
			t.Errorf("Compare(%q, %q) = %d, want %d (antisymmetry)", tc.b, tc.a, back, -tc.want)
		}
	}
}

func TestCompareCannot(t *testing.T) {
	for _, tc := range [][2]string{
		{"A.02.13", "3.1"},
		{"R2.3", "2.4"},
		{"U61", "L81"},
		{"VM5.0", "5.0"},
		{"", "1.0"},
		{"--", "1.0"},
		{"3.1 SP1", "3.1 HF1"},
	} {
		_, err := Compare(tc[0], tc[1])
		if !errors.Is(err, ErrIncomparable) {
			t.Errorf("Compare(%q, %q) error = %v, want cannot compare", tc[0], tc[1], err)
		}
	}
}

func TestRange(t *testing.T) {
	for _, tc := range []struct {
		rng, v string
		want   bool
	}{
		{"<= 1.0.0", "1.0.0", true},
		{"<= 1.0.0", "1.0.1", false},
		{"< 2.4.0", "2.4.0", false},
		{"< 2.4.0", "2.3.9", true},
		{"<= 2.6A", "2.6", true},
		{"<= 2.6A", "2.6B", false},
		{">= 2.0 | <= 3.0", "2.5", true},
		{">= 2.0 | <= 3.0", "1.9", false},
		{">= 2.0 | <= 3.0", "3.0.1", false},
		{">=BT02 | <= BT06", "BT03", true},
		{">=BT02 | <= BT06", "BT07", false},
		{"vers:all/*", "anything 9", true},
		{"vers:generic/>=1.0|<2.3", "2.2.9", true},
		{"vers:generic/>=1.0|<2.3", "2.3", false},
		{"vers:generic/>=1.0|<2.3", "0.9", false},
		{"vers:semver/>=1.0.0|<2.0.0|>=3.0.0|<4.0.0", "3.5.0", true},
		{"vers:semver/>=1.0.0|<2.0.0|>=3.0.0|<4.0.0", "2.5.0", false},
		{"vers:semver/1.2.3|1.2.5", "1.2.5", true},
		{"vers:generic/<3.0|!=2.5", "2.5", false},
		{"prior to 2.3", "2.2", true},
		{"prior to 2.3", "2.3", false},
		{"versions before 3.0", "2.9", true},
		{"All versions", "7.1", true},
		{"2.3 and earlier", "2.3", true},
		{"2.3 and later", "2.2", false},
		{"<= 1.54 (integrated into GE MobileLink)", "1.54", true},
		{"<= 12.2.x.x", "12.2.1.5", true},
		{"<= 12.2.x.x", "12.3", false},
		{"<= U61 |<= L81", "L81", true},
		{"A10 < A11", "A10", true},
		{"A10 < A11", "A11", false},
		{"<= R8.0.3", "R8.0.2", true},
		{"<=2023.3_Build_9342", "2023.3 Build 9000", true},
		{"B.02 | C.02", "C.02", true},
		{"B.02 | C.02", "C.03", false},
	} {
		r, err := ParseRange(tc.rng)
		if err != nil {
			t.Errorf("ParseRange(%q): %v", tc.rng, err)
			continue
		}
		got, err := r.Contains(tc.v)
		if err != nil {
			t.Errorf("%q contains %q: %v", tc.rng, tc.v, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%q contains %q = %v, want %v", tc.rng, tc.v, got, tc.want)
		}
	}
}

func TestRangeCannot(t *testing.T) {
	for _, tc := range []struct{ rng, v string }{
		{"distributed  < april 1, 2018", "1.0"},
		{"<May 2018", "1.0"},
		{"< august 28", "2.0"},
		{"<= 3.4", "R3.4"},
		{"<= VM5.0", "5.0"},
		{"vers:generic", "1.0"},
		{"", "1.0"},
	} {
		r, err := ParseRange(tc.rng)
		if err == nil {
			_, err = r.Contains(tc.v)
		}
		if !errors.Is(err, ErrIncomparable) {
			t.Errorf("%q contains %q: error %v, want cannot compare", tc.rng, tc.v, err)
		}
	}
}

func TestNVD(t *testing.T) {
	for _, tc := range []struct {
		si, se, ei, ee, v string
		want              bool
	}{
		{"1.0", "", "", "2.0", "1.0", true},
		{"1.0", "", "", "2.0", "2.0", false},
		{"", "1.0", "2.0", "", "1.0", false},
		{"", "1.0", "2.0", "", "2.0", true},
		{"", "", "", "", "9.9", true},
	} {
		r, err := NVD(tc.si, tc.se, tc.ei, tc.ee)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := r.Contains(tc.v); err != nil || got != tc.want {
			t.Errorf("NVD %+v contains %q = %v, %v; want %v", tc, tc.v, got, err, tc.want)
		}
	}
}

func FuzzCompare(f *testing.F) {
	for _, s := range []string{"A.02.13", "3.1.2 SP1", "VC10B", "11.2.0.15", "v2.0 build 1123", "R2.3", "4.1.0-rc1", "12.2.x.x", ""} {
		f.Add(s, "2.0")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		c, err := Compare(a, b)
		if err != nil {
			if !errors.Is(err, ErrIncomparable) {
				t.Fatalf("error %v does not wrap ErrIncomparable", err)
			}
			return
		}
		back, err := Compare(b, a)
		if err != nil || back != -c {
			t.Fatalf("Compare(%q,%q)=%d but reverse = %d, %v", a, b, c, back, err)
		}
		if self, err := Compare(a, a); err != nil || self != 0 {
			t.Fatalf("Compare(%q, itself) = %d, %v", a, self, err)
		}
	})
}

func FuzzRange(f *testing.F) {
	for _, s := range []string{"<= 1.0.0", ">= 2.0 | <= 3.0", "vers:all/*", "vers:generic/>=1.0|<2.3", "prior to 2.3", "A10 < A11", "distributed < april 1, 2018"} {
		f.Add(s, "2.0")
	}
	f.Fuzz(func(t *testing.T, rng, v string) {
		r, err := ParseRange(rng)
		if err != nil {
			if !errors.Is(err, ErrIncomparable) {
				t.Fatalf("error %v does not wrap ErrIncomparable", err)
			}
			return
		}
		if _, err := r.Contains(v); err != nil && !errors.Is(err, ErrIncomparable) {
			t.Fatalf("error %v does not wrap ErrIncomparable", err)
		}
	})
}
