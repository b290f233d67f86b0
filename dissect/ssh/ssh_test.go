package ssh

import (
	"crypto/md5"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func u32(v int) []byte { return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)} }

func str(s string) []byte { return append(u32(len(s)), s...) }

// packet frames a payload as an RFC 4253 §6 binary packet: length, padding length, payload,
// padding (4 bytes here; block alignment is not checked by a passive parser).
func packet(payload []byte) []byte {
	const pad = 4
	b := append(u32(1+len(payload)+pad), pad)
	b = append(b, payload...)
	return append(b, make([]byte, pad)...)
}

// kexinit builds a KEXINIT payload: type 20, cookie, ten name-lists, first_kex_follows, 0.
func kexinit(kex, hostkey, enc, mac, comp string) []byte {
	b := []byte{msgKexInit}
	b = append(b, make([]byte, 16)...)
	for _, l := range []string{kex, hostkey, enc, enc, mac, mac, comp, comp, "", ""} {
		b = append(b, str(l)...)
	}
	return append(b, 0, 0, 0, 0, 0)
}

const (
	clientBanner = "SSH-2.0-OpenSSH_8.9p1 Ubuntu-3\r\n"
	serverBanner = "SSH-2.0-dropbear_2019.78\r\n"
	cKex         = "curve25519-sha256,ecdh-sha2-nistp256,diffie-hellman-group14-sha256"
	sKex         = "ecdh-sha2-nistp256,curve25519-sha256"
)

var (
	clientKexInit = packet(kexinit(cKex, "ssh-ed25519,rsa-sha2-512", "aes128-ctr,chacha20-poly1305@openssh.com", "hmac-sha2-256", "none,zlib@openssh.com"))
	serverKexInit = packet(kexinit(sKex, "rsa-sha2-512,ssh-rsa", "chacha20-poly1305@openssh.com,aes128-ctr", "hmac-sha2-256,hmac-sha1", "none"))
	hostKeyBlob   = append(str("ssh-rsa"), str("\x01\x00\x01 key material")...)
	ecdhReply     = packet(append(append([]byte{msgKexDHReply}, str(string(hostKeyBlob))...), str("Q_S")...))
	newKeys       = packet([]byte{msgNewKeys})
	encrypted     = []byte("\x8f\x12\x00\xa1 encrypted bytes that are not a packet")
)

type step struct {
	dir dissect.Dir
	b   []byte
}

func o(b ...[]byte) step {
	var x []byte
	for _, p := range b {
		x = append(x, p...)
	}
	return step{dissect.Orig, x}
}

func r(b ...[]byte) step {
	s := o(b...)
	s.dir = dissect.Resp
	return s
}

func session() []step {
	return []step{
		r([]byte("Welcome to the jump host\r\n" + serverBanner)), o([]byte(clientBanner)),
		r(serverKexInit), o(clientKexInit),
		o(packet([]byte{30, 0, 0, 0, 1, 4})), r(ecdhReply, newKeys), o(newKeys),
		o(encrypted), r(encrypted),
	}
}

func run(t testing.TB, split func([]byte) [][]byte, steps ...step) *dissecttest.Capture {
	t.Helper()
	env, c := dissecttest.NewEnv("ssh", dissecttest.Flow(6, 22))
	s := &dissecttest.Stream{P: newParser(env)}
	for _, st := range steps {
		for _, part := range split(st.b) {
			if err := s.Write(t, st.dir, part); err != nil {
				t.Fatal(err)
			}
		}
	}
	s.P.Close()
	return c
}

func whole(b []byte) [][]byte { return [][]byte{b} }

func checkSession(t *testing.T, c *dissecttest.Capture) {
	t.Helper()
	logs := c.Logs("ssh")
	if len(logs) != 1 {
		t.Fatalf("%d ssh records", len(logs))
	}
	key := md5.Sum(hostKeyBlob)
	var fp []string
	for _, b := range key {
		fp = append(fp, hex.EncodeToString([]byte{b}))
	}
	hc := md5.Sum([]byte(cKex + ";aes128-ctr,chacha20-poly1305@openssh.com;hmac-sha2-256;none,zlib@openssh.com"))
	hs := md5.Sum([]byte(sKex + ";chacha20-poly1305@openssh.com,aes128-ctr;hmac-sha2-256,hmac-sha1;none"))
	rec := logs[0]
	for k, v := range map[string]string{
		"version": "2", "client": strings.TrimSpace(clientBanner), "server": strings.TrimSpace(serverBanner),
		"kex_alg": "curve25519-sha256", "cipher_alg": "aes128-ctr", "mac_alg": "hmac-sha2-256",
		"compression_alg": "none", "host_key_alg": "rsa-sha2-512", "host_key": strings.Join(fp, ":"),
		"hassh": hex.EncodeToString(hc[:]), "hasshServer": hex.EncodeToString(hs[:]),
		"cshka": "ssh-ed25519,rsa-sha2-512", "hasshVersion": "1.1",
	} {
		if got := rec.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if len(c.Logs("weird")) != 0 {
		t.Errorf("weirds %v", c.Logs("weird"))
	}
}

func TestSession(t *testing.T) {
	c := run(t, whole, session()...)
	checkSession(t, c)
	soft := map[dissect.Dir]string{}
	for _, f := range c.Facts {
		if f.Attr == dissect.AttrSoftware {
			soft[f.Side] = f.Value
		}
	}
	if soft[dissect.Orig] != strings.TrimSpace(clientBanner) || soft[dissect.Resp] != strings.TrimSpace(serverBanner) {
		t.Errorf("software facts %v", soft)
	}
}

func TestSegmentation(t *testing.T) {
	t.Run("two segments", func(t *testing.T) {
		checkSession(t, run(t, func(b []byte) [][]byte { return [][]byte{b[:len(b)/2], b[len(b)/2:]} }, session()...))
	})
	t.Run("byte at a time", func(t *testing.T) {
		checkSession(t, run(t, func(b []byte) [][]byte {
			out := make([][]byte, len(b))
			for i := range b {
				out[i] = b[i : i+1]
			}
			return out
		}, session()...))
	})
	t.Run("banner and packets in one segment", func(t *testing.T) {
		checkSession(t, run(t, whole,
			r([]byte(serverBanner), serverKexInit), o([]byte(clientBanner), clientKexInit),
			r(ecdhReply, newKeys), o(newKeys, encrypted)))
	})
}

// TestGap: a gap ends clear-text parsing of that direction; what was learnt is still logged.
func TestGap(t *testing.T) {
	env, c := dissecttest.NewEnv("ssh", dissecttest.Flow(6, 22))
	s := &dissecttest.Stream{P: newParser(env)}
	s.Write(t, dissect.Resp, []byte(serverBanner))
	s.Write(t, dissect.Orig, []byte(clientBanner))
	s.Write(t, dissect.Orig, clientKexInit[:40])
	s.Gap(dissect.Orig, 100)
	s.Write(t, dissect.Orig, encrypted)
	if s.Pending(dissect.Orig) != 0 {
		t.Errorf("%d bytes pending after a gap", s.Pending(dissect.Orig))
	}
	s.P.Close()
	logs := c.Logs("ssh")
	if len(logs) != 1 || logs[0].Get("client") == "" || logs[0].Get("hassh") != "" {
		t.Errorf("records %v", logs)
	}
}

func TestSSH1AndOversize(t *testing.T) {
	c := run(t, whole, r([]byte("SSH-1.5-OldServer\r\n")), o([]byte("SSH-1.5-OldClient\r\n")))
	if l := c.Logs("ssh"); len(l) != 1 || l[0].Get("version") != "1" {
		t.Errorf("ssh %v", l)
	}
	if w := c.Logs("weird"); len(w) == 0 || w[0].Get("name") != weirdV1 {
		t.Errorf("weirds %v", w)
	}
	c = run(t, whole, r([]byte(serverBanner)), r([]byte{0x7f, 0xff, 0xff, 0xff, 4, 1, 2}))
	if w := c.Logs("weird"); len(w) != 1 || w[0].Get("name") != weirdPacketLong {
		t.Errorf("weirds %v", w)
	}
}

func TestProbe(t *testing.T) {
	cases := []struct {
		dir  dissect.Dir
		in   string
		want dissect.Verdict
	}{
		{dissect.Orig, clientBanner, dissect.Match},
		{dissect.Resp, serverBanner, dissect.Match},
		{dissect.Resp, "SSH-1.99-Cisco-1.25\r\n", dissect.Match},
		{dissect.Resp, "SSH", dissect.NeedMore},
		{dissect.Resp, "Welcome\r\nSSH-2.0-x\r\n", dissect.Match},
		{dissect.Orig, "SSH-3.0-x\r\n", dissect.NoMatch},
		{dissect.Orig, "GET / HTTP/1.1\r\n", dissect.NoMatch},
		{dissect.Orig, "\x16\x03\x01\x00\x10\x01", dissect.NoMatch},
		{dissect.Resp, "\x00\x01\x00\x00\x00\x06", dissect.NoMatch},
	}
	for _, tc := range cases {
		if got := Probe(tc.dir, []byte(tc.in)); got != tc.want {
			t.Errorf("Probe(%s, %q) = %d, want %d", tc.dir, tc.in, got, tc.want)
		}
	}
}

// TestNonSSHOnPort22: binary bytes on port 22: NoMatch and no ssh.log record.
func TestNonSSHOnPort22(t *testing.T) {
	junk := []byte("\x00\x01\x00\x00\x00\x06\x01\x03\x00\x00\x00\x0a")
	if Probe(dissect.Orig, junk) != dissect.NoMatch || Probe(dissect.Resp, junk) != dissect.NoMatch {
		t.Fatal("probe matched")
	}
	c := run(t, whole, o(junk), r(junk))
	if n := len(c.Logs("ssh")); n != 0 {
		t.Errorf("%d ssh records", n)
	}
}

// TestSteadyStateAllocs: once keys are exchanged, encrypted bytes cost nothing.
func TestSteadyStateAllocs(t *testing.T) {
	env := &dissect.Env{Flow: dissecttest.Flow(6, 22), Name: "ssh", TS: 1, Out: dissecttest.Discard{}}
	p := newParser(env)
	for _, st := range session() {
		p.Parse(st.dir, st.b)
	}
	if a := testing.AllocsPerRun(200, func() {
		p.Parse(dissect.Orig, encrypted)
		p.Parse(dissect.Resp, encrypted)
	}); a != 0 {
		t.Errorf("%.1f allocs, want 0", a)
	}
}

// BenchmarkParse measures a whole clear-text exchange (banners, KEXINITs, reply, NEWKEYS).
func BenchmarkParse(b *testing.B) {
	steps := session()
	pdus := 9
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		env := &dissect.Env{Flow: dissecttest.Flow(6, 22), Name: "ssh", TS: 1, Out: dissecttest.Discard{}}
		p := newParser(env)
		for _, st := range steps {
			p.Parse(st.dir, st.b)
		}
		p.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*pdus), "ns/PDU")
}

func FuzzParse(f *testing.F) {
	seed := func(steps ...step) []byte {
		var out []byte
		for i, st := range steps {
			if i > 0 {
				out = append(out, dissecttest.Sep...)
			}
			out = append(out, byte(st.dir))
			out = append(out, st.b...)
		}
		return out
	}
	f.Add(seed(session()...))
	f.Add(seed(r([]byte("SSH-1.5-x\r\n")), o([]byte("SSH-2.0-y\r\n"))))
	f.Add(seed(o([]byte(clientBanner), clientKexInit[:20]), step{0xff, []byte("xx")}, o(clientKexInit[20:])))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "ssh", data, 70000)
	})
}
