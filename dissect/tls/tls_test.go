package tls

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func u16(v int) []byte { return []byte{byte(v >> 8), byte(v)} }
func u24(v int) []byte { return []byte{byte(v >> 16), byte(v >> 8), byte(v)} }

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func list16(vals ...int) []byte {
	var b []byte
	for _, v := range vals {
		b = append(b, u16(v)...)
	}
	return b
}

func ext(typ int, data []byte) []byte { return cat(u16(typ), u16(len(data)), data) }

// record wraps a body in a TLS record header: type, version 3.3, length.
func record(typ byte, body []byte) []byte { return cat([]byte{typ, 3, 3}, u16(len(body)), body) }

// hs wraps a handshake body: type, 24-bit length.
func hs(typ byte, body []byte) []byte { return cat([]byte{typ}, u24(len(body)), body) }

// clientHelloBody builds a ClientHello: version, random, session id, ciphers, compression,
// extensions.
func clientHelloBody(version int, sid []byte, ciphers []int, exts ...[]byte) []byte {
	e := cat(exts...)
	return cat(u16(version), make([]byte, 32), []byte{byte(len(sid))}, sid,
		u16(2*len(ciphers)), list16(ciphers...), []byte{1, 0}, u16(len(e)), e)
}

func serverHelloBody(version int, sid []byte, cipher int, exts ...[]byte) []byte {
	e := cat(exts...)
	r := make([]byte, 32)
	r[0] = 1
	return cat(u16(version), r, []byte{byte(len(sid))}, sid, u16(cipher), []byte{0}, u16(len(e)), e)
}

func sniExt(name string) []byte {
	entry := cat([]byte{0}, u16(len(name)), []byte(name))
	return ext(0, cat(u16(len(entry)), entry))
}

func alpnExt(protos ...string) []byte {
	var l []byte
	for _, p := range protos {
		l = append(l, byte(len(p)))
		l = append(l, p...)
	}
	return ext(16, cat(u16(len(l)), l))
}

func groupsExt(g ...int) []byte { return ext(10, cat(u16(2*len(g)), list16(g...))) }

var (
	ch12 = record(22, hs(1, clientHelloBody(0x0303, nil, []int{0x0a0a, 0xc02f, 0xc030, 0x009c},
		ext(0x1a1a, nil), // GREASE extension
		sniExt("plc.example"),
		groupsExt(0x2a2a, 29, 23),
		ext(11, []byte{1, 0}), // ec_point_formats: uncompressed
		ext(13, cat(u16(4), list16(0x0403, 0x0804))),
	)))
	sh12 = record(22, hs(2, serverHelloBody(0x0303, nil, 0xc02f, ext(0xff01, []byte{0}), ext(11, []byte{1, 0}))))
	ske  = record(22, hs(12, cat([]byte{3}, u16(23), []byte{4, 1, 2, 3, 4}))) // named_curve secp256r1
	done = record(22, hs(14, nil))
	cke  = record(22, hs(16, []byte{4, 1, 2, 3, 4}))
	ccs  = record(20, []byte{1})
	fin  = record(22, make([]byte, 40)) // encrypted Finished
	app  = record(23, make([]byte, 100))
)

func selfSignedCert(t testing.TB, notAfter time.Time) []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(0x0102),
		Subject:      pkix.Name{CommonName: "plc.example", Organization: []string{"ACME, Inc"}},
		NotBefore:    notAfter.Add(-48 * time.Hour),
		NotAfter:     notAfter,
		DNSNames:     []string{"plc.example"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func certMsg(ders ...[]byte) []byte {
	var l []byte
	for _, d := range ders {
		l = append(l, cat(u24(len(d)), d)...)
	}
	return record(22, hs(11, cat(u24(len(l)), l)))
}

type step struct {
	dir dissect.Dir
	b   []byte
}

func run(t testing.TB, steps ...step) *dissecttest.Capture {
	t.Helper()
	env, c := dissecttest.NewEnv("tls", dissecttest.Flow(6, 443))
	s := &dissecttest.Stream{P: newParser(env)}
	for _, st := range steps {
		if err := s.Write(t, st.dir, st.b); err != nil {
			t.Fatal(err)
		}
	}
	s.P.Close()
	return c
}

func o(b ...[]byte) step { return step{dissect.Orig, cat(b...)} }
func r(b ...[]byte) step { return step{dissect.Resp, cat(b...)} }

func want(t *testing.T, rec dissecttest.Rec, kv ...string) {
	t.Helper()
	for i := 0; i+1 < len(kv); i += 2 {
		if got := rec.Get(kv[i]); got != kv[i+1] {
			t.Errorf("%s = %q, want %q (%s)", kv[i], got, kv[i+1], rec.Raw)
		}
	}
}

func weirdNames(c *dissecttest.Capture) string {
	var n []string
	for _, r := range c.Logs("weird") {
		n = append(n, r.Get("name"))
	}
	return strings.Join(n, ",")
}

func TestFullHandshake12(t *testing.T) {
	// The certificate expired one day before the packet time (dissecttest's TS is 2020-09-13).
	der := selfSignedCert(t, time.Unix(1_600_000_000, 0).Add(-24*time.Hour))
	c := run(t, o(ch12), r(sh12, certMsg(der), ske, done), o(cke, ccs, fin), r(ccs, fin), o(app), r(app))
	ssl := c.Logs("ssl")
	if len(ssl) != 1 {
		t.Fatalf("%d ssl records", len(ssl))
	}
	fp := sha256.Sum256(der)
	wantJA3 := md5.Sum([]byte("771,49199-49200-156,0-10-11-13,29-23,0"))
	want(t, ssl[0], "version", "TLSv12", "cipher", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "curve", "secp256r1",
		"server_name", "plc.example", "resumed", "false", "established", "true", "ssl_history", "CsxknGIi",
		"cert_chain_fps", `["`+hex.EncodeToString(fp[:])+`"]`, "sni_matches_cert", "true",
		"ja3", hex.EncodeToString(wantJA3[:]))
	x := c.Logs("x509")
	if len(x) != 1 {
		t.Fatalf("%d x509 records", len(x))
	}
	want(t, x[0], "fingerprint", hex.EncodeToString(fp[:]), "certificate.serial", "0102",
		"certificate.subject", `CN=plc.example,O=ACME\, Inc`, "certificate.key_type", "ecdsa",
		"certificate.curve", "prime256v1", "san.dns", `["plc.example"]`, "host_cert", "true")
	w := weirdNames(c)
	if !strings.Contains(w, weirdSelfSigned) || !strings.Contains(w, weirdExpired) {
		t.Errorf("weirds %q lack self-signed/expired", w)
	}
	facts := map[string]string{}
	for _, f := range c.Facts {
		facts[f.Attr+"/"+f.Side.String()] = f.Value
	}
	if facts["name/resp"] != "plc.example" || facts["hostname/resp"] != "plc.example" ||
		facts["role/orig"] != "tls_client" || facts["ja3/orig"] != hex.EncodeToString(wantJA3[:]) ||
		!strings.HasPrefix(facts["cert_issuer/resp"], "CN=plc.example") {
		t.Errorf("facts %v", facts)
	}
}

func TestJA4SpecExample(t *testing.T) {
	// FoxIO's JA4 example: Chrome with 15 ciphers and 16 extensions.
	ciphers := []int{0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035}
	c := &clientHello{}
	body := clientHelloBody(0x0303, nil, append([]int{0x0a0a}, ciphers...),
		ext(0x0a0a, nil), sniExt("example.com"), ext(0x0017, nil), ext(0xff01, []byte{0}),
		groupsExt(29, 23, 24), ext(0x000b, []byte{1, 0}), ext(0x0023, nil), alpnExt("h2", "http/1.1"),
		ext(0x0005, []byte{1, 0, 0, 0, 0}),
		ext(0x000d, cat(u16(16), list16(0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601))),
		ext(0x0012, nil), ext(0x0033, []byte{0, 0}), ext(0x002d, []byte{1, 1}),
		ext(0x002b, []byte{4, 0x03, 0x04, 0x03, 0x03}), ext(0x001b, []byte{2, 0, 2}), ext(0x4469, nil), ext(0x0015, nil))
	if err := parseClientHello(c, body, false); err != nil {
		t.Fatal(err)
	}
	got := string(ja4(c, false, nil, make([]byte, 0, 36)))
	if got != "t13d1516h2_8daaf6152771_e5627efa2ab1" {
		t.Errorf("ja4 = %s", got)
	}
}

func TestTLS13AndAlerts(t *testing.T) {
	ch13 := record(22, hs(1, clientHelloBody(0x0303, []byte{1, 2, 3, 4}, []int{0x1301, 0x1302},
		ext(43, []byte{4, 0x03, 0x04, 0x03, 0x03}), groupsExt(29))))
	sh13 := record(22, hs(2, serverHelloBody(0x0303, []byte{1, 2, 3, 4}, 0x1301,
		ext(43, u16(0x0304)), ext(51, cat(u16(29), u16(2), []byte{9, 9})))))
	c := run(t, o(ch13), r(sh13, ccs, app, app), o(ccs, app), o(app))
	s := c.Logs("ssl")
	if len(s) != 1 {
		t.Fatalf("%d ssl records", len(s))
	}
	want(t, s[0], "version", "TLSv13", "cipher", "TLS_AES_128_GCM_SHA256", "curve", "x25519",
		"resumed", "false", "established", "true", "ssl_history", "CsiI")

	// A handshake failure alert before any ServerHello: logged at close.
	c = run(t, o(ch12), r(record(21, []byte{2, 40})))
	s = c.Logs("ssl")
	if len(s) != 1 {
		t.Fatalf("%d ssl records", len(s))
	}
	want(t, s[0], "version", "", "last_alert", "handshake_failure", "established", "false", "ssl_history", "Cl")

	// TLS 1.0 is reported as weak.
	c = run(t, o(ch12), r(record(22, hs(2, serverHelloBody(0x0301, nil, 0x002f)))))
	if w := weirdNames(c); !strings.Contains(w, weirdWeakVersion) {
		t.Errorf("weirds %q", w)
	}
}

func TestDTLS(t *testing.T) {
	dtlsRec := func(epoch int, typ byte, body []byte) []byte {
		return cat([]byte{typ, 0xfe, 0xfd}, u16(epoch), make([]byte, 6), u16(len(body)), body)
	}
	dhs := func(typ byte, seq, off, total int, frag []byte) []byte {
		return cat([]byte{typ}, u24(total), u16(seq), u24(off), u24(len(frag)), frag)
	}
	chb := clientHelloBody(0xfefd, nil, []int{0xc02f}, sniExt("dev"))
	// DTLS adds an empty cookie after the session id.
	chb = cat(chb[:35], []byte{0}, chb[35:])
	shb := serverHelloBody(0xfefd, nil, 0xc02f)
	env, c := dissecttest.NewEnv("tls", dissecttest.Flow(17, 4433))
	p := newParser(env)
	steps := []step{
		{dissect.Orig, dtlsRec(0, 22, dhs(1, 0, 0, len(chb), chb))},
		{dissect.Orig, dtlsRec(0, 22, dhs(1, 0, 0, len(chb), chb))}, // retransmission
		// ServerHello split in two fragments across datagrams.
		{dissect.Resp, dtlsRec(0, 22, dhs(2, 0, 0, len(shb), shb[:20]))},
		{dissect.Resp, dtlsRec(0, 22, dhs(2, 0, 20, len(shb), shb[20:]))},
		{dissect.Orig, cat(dtlsRec(0, 20, []byte{1}), dtlsRec(1, 22, make([]byte, 48)))},
		{dissect.Resp, cat(dtlsRec(0, 20, []byte{1}), dtlsRec(1, 22, make([]byte, 48)))},
	}
	for _, st := range steps {
		p.Parse(st.dir, st.b)
	}
	p.Close()
	s := c.Logs("ssl")
	if len(s) != 1 {
		t.Fatalf("%d ssl records", len(s))
	}
	want(t, s[0], "version", "DTLSv12", "server_name", "dev", "established", "true", "ssl_history", "CsIi")
	if !strings.HasPrefix(s[0].Get("ja4"), "dd2d0101") {
		t.Errorf("ja4 %s", s[0].Get("ja4"))
	}
}

func TestProbe(t *testing.T) {
	cases := []struct {
		in   []byte
		want dissect.Verdict
	}{
		{ch12, dissect.Match},
		{sh12, dissect.Match},
		{ch12[:4], dissect.NeedMore},
		{[]byte{0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15}, dissect.Match}, // SSLv2-compatible hello
		{[]byte{22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 40, 1}, dissect.Match},
		{app, dissect.NoMatch},
		{[]byte("GET / HTTP/1.1\r\n"), dissect.NoMatch},
		{[]byte("SSH-2.0-OpenSSH_9.0\r\n"), dissect.NoMatch},
		{[]byte{22, 3, 3, 0xff, 0xff, 1}, dissect.NoMatch}, // length past the record limit
		{[]byte{0, 1, 0, 0, 0, 6, 1, 3}, dissect.NoMatch},
	}
	for _, tc := range cases {
		if got := Probe(dissect.Orig, tc.in); got != tc.want {
			t.Errorf("Probe(% x) = %d, want %d", tc.in[:min(len(tc.in), 8)], got, tc.want)
		}
	}
}

// TestNonTLSOnPort443: plain text on the TLS port: NoMatch and, fed anyway, no ssl.log
// record.
func TestNonTLSOnPort443(t *testing.T) {
	junk := []byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n")
	if Probe(dissect.Orig, junk) != dissect.NoMatch {
		t.Fatal("probe matched HTTP")
	}
	c := run(t, o(junk), r([]byte("HTTP/1.1 400 Bad Request\r\n\r\n")))
	if n := len(c.Logs("ssl")); n != 0 {
		t.Errorf("%d ssl records from non-TLS bytes", n)
	}
}
