package hl7

import (
	"strings"
	"testing"
)

func TestParseMSH(t *testing.T) {
	m, err := ParseMSH([]byte(`MSH|^~\&|LAB^1.2.3^ISO|NORTH|EHR|CENTRAL|20240101120000||ORU^R01^ORU_R01|42|P|2.5.1`))
	if err != nil {
		t.Fatal(err)
	}
	want := MSH{"LAB^1.2.3^ISO", "NORTH", "EHR", "CENTRAL", "ORU^R01", "2.5.1"}
	if m != want {
		t.Fatalf("got %+v want %+v", m, want)
	}
	// Another field separator and component separator.
	m, err = ParseMSH([]byte(`MSH#*~\&#APP#FAC#R#RF#x##ADT*A04#1#P#2.3`))
	if err != nil || m.MessageType != "ADT^A04" || m.SendingApplication != "APP" || m.Version != "2.3" {
		t.Fatalf("got %+v %v", m, err)
	}
	if _, err := ParseMSH([]byte("PID|1||123")); err == nil {
		t.Fatal("PID accepted as MSH")
	}
}

func FuzzParseMSH(f *testing.F) {
	f.Add([]byte(`MSH|^~\&|A|B|C|D|||ADT^A01|1|P|2.5`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMSH(b)
		if err != nil {
			return
		}
		for _, s := range []string{m.SendingApplication, m.SendingFacility, m.ReceivingApplication, m.ReceivingFacility, m.MessageType, m.Version} {
			if len(s) > maxField || strings.ContainsAny(s, "\r\n") {
				t.Fatalf("field %q", s)
			}
		}
	})
}
