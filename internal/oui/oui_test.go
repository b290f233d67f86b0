package oui

import "testing"

func TestVendor(t *testing.T) {
	cases := []struct {
		mac  [6]byte
		want string
	}{
		{[6]byte{0x00, 0x1b, 0x1b, 1, 2, 3}, "Siemens AG"},
		{[6]byte{0x08, 0x61, 0x95, 1, 2, 3}, "Rockwell Automation"},
		{[6]byte{0x01, 0x0c, 0xcd, 1, 0, 1}, ""}, // multicast (GOOSE destination)
		{[6]byte{0x02, 0x00, 0x00, 1, 2, 3}, ""}, // locally administered
	}
	for _, c := range cases {
		if got := Vendor(c.mac); got != c.want {
			t.Errorf("Vendor(% x) = %q, want %q", c.mac, got, c.want)
		}
	}
	if Len() < 30000 {
		t.Fatalf("only %d prefixes", Len())
	}
}

func BenchmarkVendor(b *testing.B) {
	m := [6]byte{0x00, 0x1b, 0x1b, 1, 2, 3}
	Vendor(m)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Vendor(m)
	}
}
