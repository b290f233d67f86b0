package mms

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/internal/testutil"
)

func TestReadTLV(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		tag     uint32
		cons    bool
		n       int
		wantErr error
	}{
		{"short form", []byte{0xa0, 0x02, 0x80, 0x00}, 0, true, 4, nil},
		{"long form", append([]byte{0x04, 0x81, 0x80}, make([]byte, 128)...), 4, false, 131, nil},
		{"multi-octet tag 72 (fileOpen)", []byte{0xbf, 0x48, 0x00}, 72, true, 3, nil},
		{"multi-octet tag 200", []byte{0x9f, 0x81, 0x48, 0x01, 0x00}, 200, false, 5, nil},
		{"indefinite length", []byte{0xa0, 0x80, 0x00, 0x00}, 0, true, 0, errBERIndefinite},
		{"length of five octets", []byte{0x04, 0x85, 1, 1, 1, 1, 1}, 0, false, 0, errBERLength},
		{"length past the end", []byte{0x04, 0x05, 0x00}, 0, false, 0, errBERShort},
		{"tag number overflow", []byte{0x9f, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00}, 0, false, 0, errBERTag},
		{"tag runs off the end", []byte{0x9f, 0x81}, 0, false, 0, errBERShort},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tl, n, err := readTLV(tc.in)
			if err != tc.wantErr {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			if err == nil && (tl.tag != tc.tag || tl.cons != tc.cons || n != tc.n) {
				t.Errorf("got tag %d cons %v n %d", tl.tag, tl.cons, n)
			}
		})
	}
}

func TestWellFormedDepth(t *testing.T) {
	deep := []byte{0x04, 0x00}
	for i := 0; i < maxDepth+1; i++ {
		deep = t1(0x30, deep)
	}
	if err := wellFormed(deep); err != errBERDepth {
		t.Errorf("%d levels: %v, want errBERDepth", maxDepth+2, err)
	}
	if err := wellFormed(deep[2:]); err != nil && err != errBERDepth {
		t.Errorf("unexpected %v", err)
	}
	ok := []byte{0x04, 0x00}
	for i := 0; i < maxDepth-1; i++ {
		ok = t1(0x30, ok)
	}
	if err := wellFormed(ok); err != nil {
		t.Errorf("%d levels: %v", maxDepth, err)
	}
	// A child running past its parent is an error even when the buffer holds the bytes.
	if err := wellFormed([]byte{0x30, 0x02, 0x04, 0x03, 0x00, 0x00, 0x00}); err == nil {
		t.Error("child past its parent accepted")
	}
}

func TestParseSPDU(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		si      uint8
		user    string
		wantErr error
	}{
		{"give tokens + data transfer", []byte{0x01, 0x00, 0x01, 0x00, 0x61, 0x00}, spduDataTransfer, "\x61\x00", nil},
		{"connect with user data", []byte{0x0d, 0x07, 0x14, 0x02, 0x00, 0x02, 0xc1, 0x01, 0x31}, spduConnect, "\x31", nil},
		{"long user data length", []byte{0x0d, 0x04, 0xc1, 0xff, 0x00, 0x00}, spduConnect, "", errSessionNoData},
		{"finish with release", []byte{0x09, 0x04, 0xc1, 0x02, 0x62, 0x00}, spduFinish, "\x62\x00", nil},
		{"length past the TSDU", []byte{0x0e, 0x10, 0x14}, spduAccept, "", errSessionShort},
		{"parameter past the SPDU", []byte{0x0e, 0x03, 0xc1, 0x05, 0x00}, spduAccept, "", errSessionShort},
		{"tokens then something else", []byte{0x01, 0x00, 0x0d, 0x00}, spduDataTransfer, "", errSessionNoData},
		{"accept with empty user data (seen in the wild)", []byte{0x0e, 0x06, 0x14, 0x02, 0x00, 0x02, 0xc1, 0x00, 0x31, 0x00}, spduAccept, "", errSessionNoData},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := parseSPDU(tc.in)
			if err != tc.wantErr {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			if err == nil && (s.si != tc.si || string(s.user) != tc.user) {
				t.Errorf("si %#x user %x", s.si, s.user)
			}
		})
	}
}

func TestDecodeMMS(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		kind uint32
		svc  int32
		inv  uint64
		res  string
	}{
		{"initiate request", initReq, pduInitiateRequest, -1, 0, ""},
		{"read request", readReq, pduConfirmedRequest, svcRead, 1, ""},
		{"read response", readResp, pduConfirmedResponse, svcRead, 1, "success"},
		{"write failure", writeFail, pduConfirmedResponse, svcWrite, 2, "object-access-denied"},
		{"cancel request", []byte{0x85, 0x01, 0x2a}, pduCancelRequest, -1, 42, ""},
		{"conclude request", concludeReq, pduConcludeRequest, -1, 0, ""},
		{"conclude error", t1(0xad, t1(0xa0, integer(0x89, 1))), pduConcludeError, -1, 0, "conclude"},
		{"file open (tag 72)", t1(0xa0, integer(0x02, 9), el([]byte{0xbf, 0x48}, t1(0xa0, str(0x19, "a.txt")), integer(0x81, 0))),
			pduConfirmedRequest, svcFileOpen, 9, ""},
		{"event notification", t1(0xa3, t1(0xa2)), pduUnconfirmed, 2, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m msg
			if err := decodeMMS(tc.in, &m); err != nil {
				t.Fatal(err)
			}
			if m.kind != tc.kind || m.svc != tc.svc || m.invoke != tc.inv || m.result != tc.res {
				t.Errorf("kind %d svc %d invoke %d result %q", m.kind, m.svc, m.invoke, m.result)
			}
		})
	}
	var m msg
	for _, bad := range [][]byte{{0x30, 0x00}, {0xbf, 0x20, 0x00}, {0xa0, 0x03, 0x04, 0x01, 0x00}, {0x61, 0x00}} {
		if err := decodeMMS(bad, &m); err == nil {
			t.Errorf("%x accepted", bad)
		}
	}
}

func TestProbe(t *testing.T) {
	s7cr := tpkt([]byte{0x11, 0xe0, 0, 0, 0, 1, 0, 0xc0, 1, 0x0a, 0xc1, 2, 0x01, 0x00, 0xc2, 2, 0x01, 0x02})
	tests := []struct {
		name string
		in   []byte
		want dissect.Verdict
	}{
		{"CR with MMS TSAPs", cr, dissect.Match},
		{"CC then session ACCEPT", cat(cc, accept(initResp, 0)), dissect.Match},
		{"CC alone", cc, dissect.NeedMore},
		{"session CONNECT", connect(initReq, false), dissect.Match},
		{"mid-stream data transfer", data(report), dissect.Match},
		{"bare MMS PDU", dt(readReq), dissect.Match},
		{"partial TPKT header", cr[:3], dissect.NeedMore},
		{"S7 CR", s7cr, dissect.NeedMore},
		{"S7 CR then S7 job", cat(s7cr, dt([]byte{0x32, 0x01, 0, 0, 0, 1, 0, 8, 0, 0, 0xf0, 0, 0, 1, 0, 1, 0x01, 0xe0})), dissect.NoMatch},
		{"S7comm-plus", dt([]byte{0x72, 0x01, 0x00, 0x10}), dissect.NoMatch},
		{"HTTP", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), dissect.NoMatch},
		{"TLS", []byte{0x16, 0x03, 0x01, 0x00, 0x2f, 0x01}, dissect.NoMatch},
		{"RDP CR with cookie", tpkt(cat([]byte{0x1f, 0xe0, 0, 0, 0, 0, 0}, []byte("Cookie: mstshash=a\r\n"), []byte{1, 0, 8, 0, 3, 0, 0, 0})), dissect.NeedMore},
		{"DT with garbage", dt([]byte{0x55, 0x55, 0x55}), dissect.NoMatch},
		{"DT with a bare PDU whose length is wrong", dt([]byte{0xa0, 0x10, 0x02, 0x01}), dissect.NoMatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Probe(dissect.Orig, tc.in); got != tc.want {
				t.Errorf("Probe = %d, want %d", got, tc.want)
			}
		})
	}
}

// Non-MMS bytes on port 102 produce nothing: the probe refuses them, and a parser fed them
// anyway logs no MMS record.
func TestNonMMSOnPort102(t *testing.T) {
	junk := [][]byte{
		[]byte("SSH-2.0-OpenSSH_8.9\r\n"),
		dt([]byte{0x32, 0x01, 0, 0, 0, 1, 0, 8, 0, 0, 0xf0, 0, 0, 1, 0, 1, 0x01, 0xe0}),
		{0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03},
	}
	for _, b := range junk {
		if v := Probe(dissect.Orig, b); v != dissect.NoMatch {
			t.Errorf("Probe(%q) = %d", b, v)
		}
		c := run(t, c2s(b))
		if n := len(c.Logs("mms")); n != 0 {
			t.Errorf("%d mms records from %q", n, b)
		}
	}
}

// TestICSNPPPDUs decodes every PDU of ICSNPP's MMS parser test file (one BER MMS PDU after
// another) and checks the PDU kinds and service names against that test's XML baseline.
func TestICSNPPPDUs(t *testing.T) {
	dir := filepath.Join(testutil.Corpus(t), "mms")
	der, err := os.ReadFile(filepath.Join(dir, "icsnpp-mms__mms-pdus.der"))
	if err != nil {
		t.Skip("icsnpp-mms__mms-pdus.der absent")
	}
	xml, err := os.ReadFile(filepath.Join(dir, "icsnpp-mms__mms-pdus.der.gt", "zeek-baseline", "tests.parser", "pdus.xml"))
	if err != nil {
		t.Fatal(err)
	}
	type exp struct{ kind, svc string }
	var wantPDUs []exp
	for _, block := range strings.Split(string(xml), "<MMSpdu>")[1:] {
		lines := strings.Split(block, "\n")
		e := exp{kind: xmlTag(lines[1])}
		for i, l := range lines {
			switch strings.TrimSpace(l) {
			case "<confirmedServiceRequest>", "<confirmedServiceResponse>", "<unconfirmedService>":
				e.svc = xmlTag(lines[i+1])
			}
			if e.svc != "" {
				break
			}
		}
		wantPDUs = append(wantPDUs, e)
	}
	kinds := map[string]uint32{
		"confirmed-RequestPDU": pduConfirmedRequest, "confirmed-ResponsePDU": pduConfirmedResponse,
		"confirmed-ErrorPDU": pduConfirmedError, "unconfirmed-PDU": pduUnconfirmed, "rejectPDU": pduReject,
		"cancel-RequestPDU": pduCancelRequest, "cancel-ResponsePDU": pduCancelResponse,
		"cancel-ErrorPDU": pduCancelError, "initiate-RequestPDU": pduInitiateRequest,
		"initiate-ResponsePDU": pduInitiateResponse, "initiate-ErrorPDU": pduInitiateError,
		"conclude-RequestPDU": pduConcludeRequest, "conclude-ResponsePDU": pduConcludeResponse,
		"conclude-ErrorPDU": pduConcludeError,
	}
	var m msg
	i := 0
	for off := 0; off < len(der); i++ {
		_, n, err := readTLV(der[off:])
		if err != nil {
			t.Fatalf("PDU %d at %d: %v", i, off, err)
		}
		pdu := der[off : off+n]
		off += n
		if err := wellFormed(pdu); err != nil {
			t.Errorf("PDU %d: %v", i, err)
		}
		if err := decodeMMS(pdu, &m); err != nil {
			t.Errorf("PDU %d: %v", i, err)
			continue
		}
		if i >= len(wantPDUs) {
			continue
		}
		w := wantPDUs[i]
		if k, ok := kinds[w.kind]; !ok || k != m.kind {
			t.Errorf("PDU %d: kind %s, baseline %s", i, pduNames[m.kind], w.kind)
			continue
		}
		var got string
		switch m.kind {
		case pduConfirmedRequest, pduConfirmedResponse:
			got = serviceName(uint32(m.svc))
		case pduUnconfirmed:
			got = name(unconfirmedNames[:], uint64(m.svc), "")
		}
		// The ASN.1 module spells two response alternatives differently from their requests;
		// mms.log keeps one name per service.
		if alias := map[string]string{"requestDomainDownLoad": "requestDomainDownload",
			"reportActionStatus": "reportEventActionStatus"}[w.svc]; alias != "" {
			w.svc = alias
		}
		if got != w.svc {
			t.Errorf("PDU %d (%s): service %q, baseline %q", i, w.kind, got, w.svc)
		}
	}
	if i != len(wantPDUs) {
		t.Errorf("%d PDUs decoded, baseline has %d", i, len(wantPDUs))
	}
}

// xmlTag returns the element name of an XML line such as "    <read>" or "<x>42</x>".
func xmlTag(line string) string {
	l := strings.TrimSpace(line)
	if !strings.HasPrefix(l, "<") {
		return ""
	}
	l = l[1:]
	if i := strings.IndexAny(l, "> /"); i >= 0 {
		l = l[:i]
	}
	return l
}
