package goose

import "testing"

// The first frame of the ICSNPP GOOSE.pcap sample, annotated.
var sampleFrame = []byte{
	0x00, 0x01, // APPID 0x0001
	0x00, 0x91, // Length 145
	0x00, 0x00, // Reserved1
	0x00, 0x00, // Reserved2
	0x61, 0x81, 0x86, // goosePdu, length 134
	0x80, 0x1a, 'G', 'E', 'D', 'e', 'v', 'i', 'c', 'e', 'F', '6', '5', '0', '/', 'L', 'L', 'N', '0', '$', 'G', 'O', '$', 'g', 'c', 'b', '0', '1', // gocbRef
	0x81, 0x03, 0x00, 0x9c, 0x40, // timeAllowedtoLive 40000
	0x82, 0x18, 'G', 'E', 'D', 'e', 'v', 'i', 'c', 'e', 'F', '6', '5', '0', '/', 'L', 'L', 'N', '0', '$', 'G', 'O', 'O', 'S', 'E', '1', // datSet
	0x83, 0x0b, 'F', '6', '5', '0', '_', 'G', 'O', 'O', 'S', 'E', '1', // goID
	0x84, 0x08, 0x38, 0x6e, 0xbb, 0xf3, 0x42, 0x17, 0x28, 0x0a, // t: 946781171 + 0x421728/2^24 s, quality 0x0a
	0x85, 0x01, 0x01, // stNum 1
	0x86, 0x01, 0x0a, // sqNum 10
	0x87, 0x01, 0x00, // simulation FALSE
	0x88, 0x01, 0x01, // confRev 1
	0x89, 0x01, 0x00, // ndsCom FALSE
	0x8a, 0x01, 0x08, // numDatSetEntries 8
	0xab, 0x20, // allData, 32 bytes: 4 × (boolean, bit-string)
	0x83, 0x01, 0x00, 0x84, 0x03, 0x03, 0x00, 0x00,
	0x83, 0x01, 0x00, 0x84, 0x03, 0x03, 0x00, 0x00,
	0x83, 0x01, 0x00, 0x84, 0x03, 0x03, 0x00, 0x00,
	0x83, 0x01, 0x00, 0x84, 0x03, 0x03, 0x00, 0x00,
}

func TestParseSample(t *testing.T) {
	c := run(t, sampleFrame)
	recs := c.Logs("goose")
	if len(recs) != 1 {
		t.Fatalf("%d goose records, want 1", len(recs))
	}
	want := map[string]string{
		"src_mac": "00:a0:f4:08:2f:77", "dst_mac": "01:0c:cd:01:00:01", "eth_type": "0x88b8",
		"appid": "0x1", "length": "145", "gocb_ref": "GEDeviceF650/LLN0$GO$gcb01",
		"time_allowed_to_live": "40000", "dataset": "GEDeviceF650/LLN0$GOOSE1", "go_id": "F650_GOOSE1",
		"timestamp": "946781171.258166", "timestamp_quality": "0xa", "st_num": "1", "sq_num": "10",
		"simulation": "false", "conf_rev": "1", "nds_com": "false", "num_dat_set_entries": "8",
		// sha256 of the whole allData TLV (ab 20 …), as in the ICSNPP baseline.
		"all_data_hash": "b98fa32bbb4564d33d8c52a25ab7e8aedd156561fcc77b3a68ad203fd9955fd2",
		"parse_status":  "ok", "parse_error": "none",
	}
	for k, v := range want {
		if got := recs[0].Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if w := c.WeirdNames(); len(w) != 0 {
		t.Errorf("weirds %v on a clean frame", w)
	}
}

func TestParseStatus(t *testing.T) {
	base := fields{ref: "IED1/LLN0$GO$gcb1", st: 1, sq: 0, confRev: 1}.pdu()
	// drop removes the TLV with tag from a goosePdu built by fields.pdu.
	drop := func(tag byte) []byte {
		_, body, _, _ := tlv(base)
		var out []byte
		for len(body) > 0 {
			tg, _, n, _ := tlv(body)
			if tg != tag {
				out = append(out, body[:n]...)
			}
			body = body[n:]
		}
		return el(tagGoosePdu, out...)
	}
	tests := []struct {
		name         string
		apdu         []byte
		status, perr string
		absent       []string // fields that must not be logged
	}{
		{"complete", base, "ok", "none", nil},
		{"missing go_id is fine", drop(tagGoID), "ok", "none", []string{"go_id"}},
		{"missing gocb_ref", drop(tagGocbRef), "failed", "missing_required_field", nil},
		{"missing dataset", drop(tagDatSet), "partial", "missing_required_field", nil},
		{"missing conf_rev", drop(tagConfRev), "partial", "missing_required_field", nil},
		{"missing num_dat_set_entries", drop(tagNumEntries), "partial", "missing_required_field", nil},
		{"missing all_data", drop(tagAllData), "partial", "missing_all_data", nil},
		{"missing t", drop(tagT), "ok", "none", []string{"timestamp", "timestamp_quality"}},
		{"wrong outer tag", append([]byte{0x60}, base[1:]...), "failed", "malformed_asn1", []string{"go_id", "timestamp"}},
		{"high tag number", el(tagGoosePdu, 0x1f, 0x1a, 0x01, 0x00), "failed", "malformed_asn1", nil},
		{"element overruns pdu", el(tagGoosePdu, 0x80, 0x40, 'x'), "failed", "malformed_asn1", nil},
		{"indefinite length", []byte{0x61, 0x80, 0x00, 0x00}, "failed", "malformed_asn1", nil},
		{"unknown context tag", el(tagGoosePdu, 0x9f, 0x00), "failed", "malformed_asn1", nil},
		{"9-byte integer", el(tagGoosePdu, el(tagStNum, 1, 2, 3, 4, 5, 6, 7, 8, 9)...), "failed", "malformed_asn1", nil},
		{"boolean of 2 bytes", el(tagGoosePdu, el(tagNdsCom, 0, 0)...), "failed", "malformed_asn1", nil},
		{"short UtcTime", el(tagGoosePdu, el(tagT, 1, 2, 3)...), "failed", "malformed_asn1", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := run(t, frame(0x3001, 0, tc.apdu))
			recs := c.Logs("goose")
			if len(recs) != 1 {
				t.Fatalf("%d records", len(recs))
			}
			r := recs[0]
			if r.Get("parse_status") != tc.status || r.Get("parse_error") != tc.perr {
				t.Errorf("status %s/%s, want %s/%s", r.Get("parse_status"), r.Get("parse_error"), tc.status, tc.perr)
			}
			for _, k := range tc.absent {
				if _, ok := r.Fields[k]; ok {
					t.Errorf("%s logged, want absent", k)
				}
			}
			if tc.perr == "malformed_asn1" {
				for _, k := range []string{"st_num", "sq_num", "conf_rev", "time_allowed_to_live"} {
					if r.Get(k) != "0" {
						t.Errorf("%s = %s on a malformed frame, want 0", k, r.Get(k))
					}
				}
			}
		})
	}
}

func TestLongLengthAndBounds(t *testing.T) {
	// A 200-byte gocbRef forces the 0x81 long length form.
	long := make([]byte, 200)
	for i := range long {
		long[i] = 'A'
	}
	f := frame(1, 0, fields{ref: string(long), st: 1, confRev: 1}.pdu())
	if r := run(t, f).Logs("goose")[0]; r.Get("gocb_ref") != string(long) || r.Get("parse_status") != "ok" {
		t.Errorf("long gocb_ref: %s", r.Raw)
	}
	// Length field beyond the frame: logged (malformed) with a truncation weird.
	tr := append([]byte(nil), f[:40]...)
	c := run(t, tr)
	if count(c.WeirdNames(), weirdTruncated) != 1 || c.Logs("goose")[0].Get("parse_error") != "malformed_asn1" {
		t.Errorf("truncated frame: weirds %v, rec %s", c.WeirdNames(), c.Logs("goose")[0].Raw)
	}
	// Ethernet padding after Length is ignored.
	padded := append(append([]byte(nil), f...), 0, 0, 0, 0, 0, 0)
	if r := run(t, padded).Logs("goose")[0]; r.Get("parse_status") != "ok" {
		t.Errorf("padded frame: %s", r.Raw)
	}
	// Shorter than the header: no record, one weird.
	c = run(t, []byte{0, 1, 0})
	if len(c.Logs("goose")) != 0 || count(c.WeirdNames(), weirdTruncated) != 1 {
		t.Errorf("3-byte frame: %v", c.WeirdNames())
	}
}

func TestUtcTime(t *testing.T) {
	tests := []struct {
		in        [8]byte
		sec, usec uint64
	}{
		{[8]byte{0x65, 0x43, 0, 0, 0x40, 0, 0, 0}, 1698889728, 250000},
		{[8]byte{0, 0, 0, 1, 0xff, 0xff, 0xff, 0}, 2, 0}, // rounds up into the next second
		{[8]byte{0, 0, 0, 0, 0, 0, 0, 0}, 0, 0},
	}
	for _, tc := range tests {
		if s, u := utcTime(tc.in); s != tc.sec || u != tc.usec {
			t.Errorf("utcTime(%x) = %d.%06d, want %d.%06d", tc.in, s, u, tc.sec, tc.usec)
		}
	}
}

func TestAllDataNesting(t *testing.T) {
	deep := el(0x83, 1)
	for i := 0; i < maxNesting+2; i++ {
		deep = el(0xa2, deep...) // structure
	}
	if _, bad := countData(deep, 0); !bad {
		t.Error("nesting beyond maxNesting accepted")
	}
	n, bad := countData(cat(el(0x83, 1), el(0xa2, el(0x85, 1)...), el(0x86, 2)), 0)
	if n != 3 || bad {
		t.Errorf("countData = %d, %v; want 3, false", n, bad)
	}
}
