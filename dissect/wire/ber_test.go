package wire

import "testing"

func TestBER(t *testing.T) {
	for _, c := range []struct {
		in          []byte
		max         int
		l, octets   int
		ok          bool
		description string
	}{
		{[]byte{0x05}, 4, 5, 1, true, "short form"},
		{[]byte{0x81, 0xc8}, 4, 200, 2, true, "long form, one octet"},
		{[]byte{0x82, 0x01, 0x00}, 4, 256, 3, true, "long form, two octets"},
		{[]byte{0x80}, 4, 0, 0, false, "indefinite form"},
		{[]byte{0x83, 0x01, 0x00, 0x00}, 2, 0, 0, false, "more octets than allowed"},
		{[]byte{0x82, 0x01}, 4, 0, 0, false, "long form cut short"},
		{nil, 4, 0, 0, false, "empty"},
	} {
		l, n, ok := BERLen(c.in, c.max)
		if l != c.l || n != c.octets || ok != c.ok {
			t.Errorf("%s: BERLen(% x) = %d, %d, %v; want %d, %d, %v", c.description, c.in, l, n, ok, c.l, c.octets, c.ok)
		}
	}
	tag, v, n, ok := TLV([]byte{0x61, 0x03, 1, 2, 3, 0xff}, 4)
	if !ok || tag != 0x61 || string(v) != "\x01\x02\x03" || n != 5 || cap(v) != 3 {
		t.Errorf("TLV: tag %#x value % x size %d ok %v cap %d", tag, v, n, ok, cap(v))
	}
	for _, bad := range [][]byte{{0x61, 0x04, 1, 2, 3}, {0x1f, 0x01, 0}, {0x61}, {0x61, 0x80, 0, 0}} {
		if _, _, _, ok := TLV(bad, 4); ok {
			t.Errorf("TLV(% x) accepted", bad)
		}
	}
}
