package detect_test

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/gopacket/gopacket/pcapgo"

	"github.com/quietwire/quietwire/dissect"
	_ "github.com/quietwire/quietwire/dissect/all"
	"github.com/quietwire/quietwire/internal/detect"
	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/evidence"
	"github.com/quietwire/quietwire/internal/testutil"
	"github.com/quietwire/quietwire/internal/testutil/replay"
)

// Every technique id in the catalogue exists in MITRE ATT&CK for ICS; titles and ids are unique.
func TestCatalogTechniques(t *testing.T) {
	known := map[string]bool{}
	for _, line := range strings.Split(sharedFile(t, "data", "attack-ics-techniques.tsv"), "\n") {
		if id, _, ok := strings.Cut(line, "\t"); ok {
			known[id] = true
		}
	}
	if len(known) < 80 {
		t.Fatalf("only %d techniques read", len(known))
	}
	titles := map[string]bool{}
	for _, r := range detect.Catalog {
		if titles[r.Title] {
			t.Errorf("duplicate title %q", r.Title)
		}
		titles[r.Title] = true
		if len(r.Techniques) == 0 {
			t.Errorf("%s: no technique", r.ID)
		}
		for _, id := range r.Techniques {
			if !known[id] {
				t.Errorf("%s: technique %s is not in ATT&CK for ICS", r.ID, id)
			}
		}
		if r.Remediation == "" || r.Category == "" {
			t.Errorf("%s: no remediation or category", r.ID)
		}
	}
	// Two of Defender's ids that are plainly wrong for the title (see TechniqueNotes too).
	for _, r := range detect.Catalog {
		for _, id := range r.Techniques {
			if (r.Title == "Unexpected message length" && id == "T0869") || (r.Title == "Illegal Protocol Version" && id == "T0820") {
				t.Errorf("%s keeps Defender's wrong id %s", r.Title, id)
			}
		}
	}
}

// TestTechniquesFollowDefender: a rule with one of Defender's titles carries Defender's ATT&CK
// ids (research/features.md, section C) unless TechniqueNotes says why not, and a note is
// only kept where the ids do differ.
func TestTechniquesFollowDefender(t *testing.T) {
	_, sect, _ := strings.Cut(sharedFile(t, "research", "features.md"), "## C. D4IoT alert titles")
	sect, _, _ = strings.Cut(sect, "### C6.")
	idRe := regexp.MustCompile(`T0\d{3}`)
	suffix := regexp.MustCompile(`\*?( \([0-9][^)]*\))?\*?$`)
	defender := map[string][]string{}
	for _, line := range strings.Split(sect, "\n") {
		cells := strings.Split(strings.Trim(line, "| "), "|")
		if len(cells) < 2 || !strings.HasPrefix(line, "|") {
			continue
		}
		ids := idRe.FindAllString(cells[len(cells)-1], -1)
		if len(ids) == 0 {
			continue
		}
		sort.Strings(ids)
		defender[suffix.ReplaceAllString(strings.TrimSpace(cells[0]), "")] = ids
	}
	matched := 0
	for _, r := range detect.Catalog {
		want, ok := defender[r.Title]
		if !ok {
			continue
		}
		matched++
		got := append([]string(nil), r.Techniques...)
		sort.Strings(got)
		same := strings.Join(got, ",") == strings.Join(want, ",")
		note := detect.TechniqueNotes[r.ID]
		switch {
		case !same && note == "":
			t.Errorf("%s (%s): techniques %v, Defender's %v, and no note says why", r.ID, r.Title, got, want)
		case same && note != "":
			t.Errorf("%s: a note on techniques that are Defender's own (%v)", r.ID, want)
		}
	}
	if matched < 70 {
		t.Fatalf("only %d of the catalogue's titles found in Defender's table (%d rows read)", matched, len(defender))
	}
	for id := range detect.TechniqueNotes {
		if byIDForTest(id) == nil {
			t.Errorf("note for unknown rule %s", id)
		}
	}
}

// sharedFile reads a file of ../shared (beside the corpus), skipping the test without it.
func sharedFile(t *testing.T, rel ...string) string {
	t.Helper()
	dir := testutil.CorpusDir()
	if dir == "" {
		t.Skipf("../shared not found: %s unavailable", filepath.Join(rel...))
	}
	b, err := os.ReadFile(filepath.Join(append([]string{dir, ".."}, rel...)...))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func byIDForTest(id string) *detect.Rule {
	for _, r := range detect.Catalog {
		if r.ID == id {
			return r
		}
	}
	return nil
}

type run struct {
	d   *detect.Detector
	res *replay.Result
}

func analyze(t *testing.T, cfg detect.Config, base *detect.Baseline, files ...string) run {
	t.Helper()
	d := detect.New(cfg, base)
	res := replay.Run(t, engine.Config{Observer: d, EvidenceBytes: 4 << 20}, files...)
	d.Finish()
	return run{d: d, res: res}
}

func titles(as []*detect.Alert) map[string]int {
	m := map[string]int{}
	for _, a := range as {
		m[a.Rule]++
	}
	return m
}

func corpus(t *testing.T, rel string) string {
	return filepath.Join(testutil.Corpus(t), rel)
}

// Captures whose behaviour is known: each must raise its rule (engine by engine).
func TestKnownBehaviours(t *testing.T) {
	cases := []struct {
		file string
		rule string
	}{
		{"s7comm/gymgit__step7_s300_stop.pcapng", "s7_stop"},
		{"dnp3/iti__cold_restart_and_response.pcap", "outstation_cold"},
		{"dnp3/zeek__dnp3.pcap", "outstation_frequent"},
		{"dnp3/iti__dnp3_test_data_part2.pcap", "dnp3_unknown_object"},
		{"modbus/zeek__modbus-eit.pcap", "modbus_exception"},
		{"modbus/zeek__fuzz-72.pcap", "reserved_fc"},
		{"modbus/zeek__fuzz-72.pcap", "malformed_session"},
		{"enip-cip/iti__cip_start_plc.pcap", "controller_start"},
		{"mms/iti__mms-killRequest.pcap", "controller_stop"},
		{"mms/iti__mms-resetRequest.pcap", "controller_reset"},
		{"bacnet/icsnpp-bacnet__bacnet_services.pcap", "controller_reset"},
		{"goose/icsnpp-goose__GOOSE_malformed_asn1.pcap", "goose_illegal"},
		{"opcua/icsnpp-opcua-binary__open62541_client-server-getEndpoints.pcap", "opcua_insecure"},
		{"http/zeek__basic-auth-with-colon.pcap", "cleartext_login"},
		{"iec104/iti__TestDissectIec104.pcap", "iec104_malformed"},
	}
	for _, c := range cases {
		r := analyze(t, detect.Config{Site: "t"}, nil, corpus(t, c.file))
		got := titles(r.d.Alerts())
		if got[c.rule] == 0 {
			t.Errorf("%s: no %s alert (got %v)", c.file, c.rule, got)
		}
	}
}

// An alert carries the packets of its flow as evidence, and they form a valid pcap.
func TestEvidencePcap(t *testing.T) {
	r := analyze(t, detect.Config{Site: "t"}, nil, corpus(t, "s7comm/gymgit__step7_s300_stop.pcapng"))
	var a *detect.Alert
	for _, x := range r.d.Alerts() {
		if x.Rule == "s7_stop" {
			a = x
		}
	}
	if a == nil || len(a.Evidence) == 0 {
		t.Fatalf("s7_stop alert without evidence: %+v", a)
	}
	rd, err := pcapgo.NewReader(bytes.NewReader(evidence.Pcap(a.Evidence)))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		data, _, err := rd.ReadPacketData()
		if err != nil {
			break
		}
		if len(data) == 0 {
			t.Fatal("empty packet")
		}
		n++
	}
	if n != len(a.Evidence) || a.FlowUID == "" {
		t.Fatalf("pcap holds %d of %d packets, uid %q", n, len(a.Evidence), a.FlowUID)
	}
}

// Learning a capture, then replaying it unchanged, raises no policy alert and no new alert.
func TestLearnedReplayIsQuiet(t *testing.T) {
	dir := testutil.Corpus(t)
	var files []string
	for _, proto := range []string{"modbus", "dnp3", "s7comm", "enip-cip", "iec104", "bacnet", "opcua", "mms", "goose", "profinet", "dns", "http", "dhcp"} {
		files = append(files, testutil.CorpusFiles(t, proto)...)
	}
	_ = dir
	checked := 0
	for _, f := range files {
		learn := analyze(t, detect.Config{Site: "t", Learn: true}, nil, f)
		base := learn.d.Baseline()
		if !base.Operational {
			t.Fatalf("%s: a --learn run must leave the site operational", f)
		}
		known := map[string]bool{}
		for _, a := range learn.d.Alerts() {
			known[a.ID] = true
			if a.Engine == detect.Policy {
				t.Errorf("%s: policy alert while learning: %s", filepath.Base(f), a.Title)
			}
		}
		again := detect.New(detect.Config{Site: "t"}, base)
		again.LoadAlerts(learn.d.Alerts())
		replay.Run(t, engine.Config{Observer: again}, f)
		for _, a := range again.Alerts() {
			if !known[a.ID] {
				t.Errorf("%s: new alert on a learned replay: %s (%s → %s %s)", filepath.Base(f), a.Title, a.Src, a.Dst, a.Detail)
			}
		}
		checked++
	}
	t.Logf("%d captures learned and replayed", checked)
}

// After learning, a new function code on a known edge is a policy alert; learning the alert
// adds it to the baseline and the next replay is quiet.
func TestPolicyNewCommandAndLearn(t *testing.T) {
	read := corpus(t, "modbus/zeek__modbusSmall.pcap")
	learn := analyze(t, detect.Config{Site: "t", Learn: true}, nil, read)
	base := learn.d.Baseline()
	// Forget one command of one edge, as if it had never been seen.
	var forgot string
	for _, e := range base.Edges {
		if e.Proto == "modbus" && len(e.Commands) > 0 {
			forgot = e.Commands[0]
			e.Commands = e.Commands[1:]
			break
		}
	}
	if forgot == "" {
		t.Fatal("no modbus edge with commands in the baseline")
	}
	r := analyze(t, detect.Config{Site: "t"}, base, read)
	var a *detect.Alert
	for _, x := range r.d.Alerts() {
		if x.Rule == "modbus_fc" && x.Detail == forgot {
			a = x
		}
	}
	if a == nil {
		t.Fatalf("no modbus_fc alert for %s: %v", forgot, titles(r.d.Alerts()))
	}
	if err := r.d.Learn(a.ID); err != nil {
		t.Fatal(err)
	}
	if a.Status != detect.StatusLearned {
		t.Fatalf("status %s", a.Status)
	}
	after := analyze(t, detect.Config{Site: "t"}, r.d.Baseline(), read)
	if n := titles(after.d.Alerts())["modbus_fc"]; n != 0 {
		t.Fatalf("%d modbus_fc alerts after learning", n)
	}
}

// A device that appears after learning is a new asset; its own window then learns its edges.
func TestNewAssetAfterLearning(t *testing.T) {
	learn := analyze(t, detect.Config{Site: "t", Learn: true}, nil, corpus(t, "modbus/zeek__modbusSmall.pcap"))
	r := analyze(t, detect.Config{Site: "t"}, learn.d.Baseline(), corpus(t, "modbus/iti__modbus_test.pcap"))
	got := titles(r.d.Alerts())
	if got["new_asset"] == 0 {
		t.Fatalf("no new_asset: %v", got)
	}
	if got["new_connection"]+got["new_port"] != 0 {
		t.Fatalf("new devices' edges alerted inside their own learning window: %v", got)
	}
}

func TestIndicators(t *testing.T) {
	stix := []byte(`{"type":"bundle","id":"bundle--1","objects":[
	 {"type":"indicator","id":"indicator--a","name":"C2 server","pattern_type":"stix","pattern":"[ipv4-addr:value = '192.168.0.20']"},
	 {"type":"indicator","id":"indicator--b","pattern":"[domain-name:value = 'evil.example'] OR [ipv4-addr:value = '203.0.113.9']"}]}`)
	ind, err := detect.ParseIndicators("bundle.json", stix)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ind.MatchIP(netip.MustParseAddr("203.0.113.9")); !ok {
		t.Fatal("STIX OR pattern not parsed")
	}
	if s, ok := ind.MatchDomain("WWW.Evil.Example."); !ok || s != "indicator--b" {
		t.Fatalf("subdomain match: %q %v", s, ok)
	}
	list, err := detect.ParseIndicators("list.txt", []byte("# bad\n10.9.0.0/16\nbad.example # c2\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := list.MatchIP(netip.MustParseAddr("10.9.3.4")); !ok {
		t.Fatal("CIDR not matched")
	}
	if _, err := detect.ParseIndicators("x.txt", []byte("not an indicator!\n")); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("bad line: %v", err)
	}
	r := analyze(t, detect.Config{Site: "t", Indicators: ind}, nil, corpus(t, "modbus/iti__modbus_test.pcap"))
	if titles(r.d.Alerts())["ioc_ip"] == 0 {
		t.Fatalf("no ioc_ip alert: %v", titles(r.d.Alerts()))
	}
}

func TestBaselineFile(t *testing.T) {
	learn := analyze(t, detect.Config{Site: "t", Learn: true}, nil, corpus(t, "modbus/iti__modbus_test.pcap"))
	data, err := learn.d.Baseline().MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	b, err := detect.ParseBaseline(data)
	if err != nil {
		t.Fatal(err)
	}
	if d := detect.Diff(learn.d.Baseline(), b); len(d) != 0 {
		t.Fatalf("round trip differs: %v", d)
	}
	var one string
	for k := range b.Edges {
		one = k
		break
	}
	delete(b.Edges, one)
	if d := detect.Diff(learn.d.Baseline(), b); len(d) != 1 || d[0] != "- edge "+one {
		t.Fatalf("diff %v", d)
	}
	for _, bad := range []string{`{"version":2,"site":"t"}`, `{"version":1}`, `{"version":1,"site":"t","edges":{"x":{"client":"a","server":"b","protocol":"modbus","port":502}}}`, `{"version":1,"site":"t","bogus":1}`} {
		if _, err := detect.ParseBaseline([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func TestStatusLifecycle(t *testing.T) {
	r := analyze(t, detect.Config{Site: "t"}, nil, corpus(t, "s7comm/gymgit__step7_s300_stop.pcapng"))
	a := r.d.Alerts()[0]
	if err := r.d.SetStatus(a.ID, "Muted", "ana", "known maintenance", 1); err != nil {
		t.Fatal(err)
	}
	if a.Status != detect.StatusMuted || len(a.Comments) != 1 || a.Comments[0].User != "ana" {
		t.Fatalf("%+v", a)
	}
	if err := r.d.SetStatus(a.ID, "Bogus", "", "", 1); err == nil {
		t.Fatal("accepted an unknown status")
	}
	if err := r.d.SetStatus("nope", "Closed", "", "", 1); err == nil {
		t.Fatal("accepted an unknown alert")
	}
	// Repeats merge into one alert with a count.
	r2 := analyze(t, detect.Config{Site: "t"}, nil, corpus(t, "dnp3/zeek__dnp3.pcap"), corpus(t, "dnp3/zeek__dnp3.pcap"))
	for _, x := range r2.d.Alerts() {
		if x.Rule == "outstation_cold" && x.Count < 2 {
			t.Fatalf("repeat not merged: %+v", x)
		}
	}
}

var _ = dissect.Orig

// A master that connects every 10 s during learning and then every 2 s breaks the period.
func TestPeriodicityBroken(t *testing.T) {
	d := detect.New(detect.Config{Site: "t", LearningPeriod: 100e9}, nil)
	fl := &dissect.FlowInfo{UID: "C1", Proto: 6,
		Orig: dissect.Endpoint{IP: netip.MustParseAddr("10.0.0.1"), Port: 40000},
		Resp: dissect.Endpoint{IP: netip.MustParseAddr("10.0.0.2"), Port: 502}}
	ts := int64(1e9)
	conn := func() {
		d.FlowEnd(&engine.FlowSummary{Info: fl, First: ts, Last: ts + 1e8, OrigPkts: 3, RespPkts: 3, OrigPayload: 12, RespPayload: 11, Service: "modbus", State: "SF"})
	}
	for ; ts < 100e9; ts += 10e9 {
		conn()
	}
	if n := titles(d.Alerts())["periodicity"]; n != 0 {
		t.Fatalf("periodicity alert while learning")
	}
	for i := 0; i < 3; i++ { // ts is 101 s: the cycle goes on after learning
		conn()
		ts += 10e9
	}
	ts -= 10e9
	if n := titles(d.Alerts())["periodicity"]; n != 0 {
		t.Fatalf("periodicity alert on the learned cycle")
	}
	ts += 2e9
	conn()
	if n := titles(d.Alerts())["periodicity"]; n != 1 {
		t.Fatalf("no periodicity alert for a 2 s cycle: %v", titles(d.Alerts()))
	}
}

// Every rule of the catalogue is raised somewhere: its id appears in the detector's code.
func TestEveryRuleHasATrigger(t *testing.T) {
	src, err := os.ReadFile("detector.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range detect.Catalog {
		if !bytes.Contains(src, []byte(`"`+r.ID+`"`)) {
			t.Errorf("rule %s (%s) is never raised", r.ID, r.Title)
		}
	}
}

func TestExclusions(t *testing.T) {
	doc := []byte(`{"exclusions":[
	 {"name":"S7 maintenance","rules":["An S7 Stop PLC Command was Sent"],"devices":["134.249.61.0/24"],"protocols":["s7comm"],
	  "from":"2014-01-01T00:00:00Z","to":"2030-01-01T00:00:00Z"}]}`)
	ex, err := detect.ParseExclusions("x.json", doc)
	if err != nil {
		t.Fatal(err)
	}
	r := analyze(t, detect.Config{Site: "t", Exclusions: ex}, nil, corpus(t, "s7comm/gymgit__step7_s300_stop.pcapng"))
	if titles(r.d.Alerts())["s7_stop"] != 0 || r.d.Suppressed["S7 maintenance"] == 0 {
		t.Fatalf("not suppressed: %v %v", titles(r.d.Alerts()), r.d.Suppressed)
	}
	// Outside the window the alert is raised.
	late, _ := detect.ParseExclusions("x.json", bytes.Replace(doc, []byte("2014-01-01"), []byte("2029-01-01"), 1))
	r = analyze(t, detect.Config{Site: "t", Exclusions: late}, nil, corpus(t, "s7comm/gymgit__step7_s300_stop.pcapng"))
	if titles(r.d.Alerts())["s7_stop"] == 0 {
		t.Fatal("suppressed outside its window")
	}
	for _, bad := range []string{`{"exclusions":[{"rules":["s7_stop"]}]}`, `{"exclusions":[{"name":"x","rules":["nope"]}]}`,
		`{"exclusions":[{"name":"x","devices":["not-an-address"]}]}`, `{"exclusions":[{"name":"x","color":"red"}]}`,
		`{"exclusions":[{"name":"x","from":"2020-01-02T00:00:00Z","to":"2020-01-01T00:00:00Z"}]}`} {
		if _, err := detect.ParseExclusions("bad.json", []byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

// With several workers, events reach the detector slightly out of packet-time order. Each is
// judged at its own time: a worker that runs ahead must not close the rate windows of
// another (they once shared a "latest time seen" clock, so this storm went unseen).
func TestWindowsUseEachEventsTime(t *testing.T) {
	d := detect.New(detect.Config{Site: "t", LearningPeriod: 1}, nil)
	flow := func(src, dst string, port uint16) *dissect.FlowInfo {
		return &dissect.FlowInfo{UID: "C" + src, Proto: 6,
			Orig: dissect.Endpoint{IP: netip.MustParseAddr(src), Port: 40000},
			Resp: dissect.Endpoint{IP: netip.MustParseAddr(dst), Port: port}}
	}
	storm, other := flow("10.0.0.1", "10.0.0.2", 502), flow("10.0.9.1", "10.0.9.2", 502)
	end := func(fl *dissect.FlowInfo, ts int64) {
		d.FlowEnd(&engine.FlowSummary{Info: fl, First: ts, Last: ts + 1e6, OrigPkts: 3, RespPkts: 3,
			OrigPayload: 12, RespPayload: 11, Service: "modbus", State: "SF"})
	}
	base := int64(1_000e9)
	for i := range int64(50) {
		end(storm, base+i*1e9)      // worker 1: 50 sessions in 50 s
		end(other, base+i*1e9+70e9) // worker 2: 70 s ahead in the capture
	}
	var got *detect.Alert
	for _, a := range d.Alerts() {
		if a.Rule == "excessive_sessions" && a.Src == "10.0.0.1" {
			got = a
		}
	}
	if got == nil {
		t.Fatalf("no excessive_sessions alert for 10.0.0.1 → 10.0.0.2: %v", titles(d.Alerts()))
	}
	if want := base + 49e9 + 1e6; got.First != want {
		t.Errorf("alert first seen at %d, want the 50th session's end %d", got.First, want)
	}
}

// A flow end on a known edge (a master polling a PLC) allocates nothing: addresses are
// interned, the edge is found by a key built on the stack, the scan windows reuse their sets.
func TestFlowEndSteadyStateAllocs(t *testing.T) {
	d := detect.New(detect.Config{Site: "t"}, nil)
	fl := &dissect.FlowInfo{UID: "C1", Proto: 6,
		Orig: dissect.Endpoint{IP: netip.MustParseAddr("10.0.0.5"), Port: 40000, MAC: [6]byte{0, 1, 2, 3, 4, 5}},
		Resp: dissect.Endpoint{IP: netip.MustParseAddr("10.0.1.20"), Port: 502, MAC: [6]byte{0, 1, 2, 3, 4, 6}}}
	cmds := []dissect.CommandCount{{Name: "READ_HOLDING_REGISTERS", N: 10}}
	ts := int64(1_700_000_000e9)
	end := func() {
		ts += 1e9
		d.FlowEnd(&engine.FlowSummary{Info: fl, First: ts - 5e8, Last: ts, OrigPkts: 10, RespPkts: 10, Service: "modbus",
			State: "SF", Commands: cmds, OrigMACSeen: true, RespMACSeen: true})
	}
	for range 5 {
		end()
	}
	if n := testing.AllocsPerRun(200, end); n != 0 {
		t.Fatalf("%v allocs per flow end on a known edge", n)
	}
}

// Lateral movement over SMB, from the events the SMB dissector reports (TestPsExecShape in
// dissect/smb): PsExec's service program copied over → "Suspicion of Remote Code Execution with
// PsExec"; another executable or script → "Suspicious Executable File Detected on Endpoint",
// one alert per file; a service created or started through svcctl → "Suspicion of Remote
// Windows Service Management". Malware rules fire while the site is still learning. Reads,
// documents, queries of the service manager and other protocols raise nothing.
func TestSMBLateralMovement(t *testing.T) {
	d := learningDetector() // an hour: every event below is in it
	fl := flowOf("Csmb1", 6, "10.1.0.5", 50000, "10.1.0.9", 445)
	ts := int64(1_700_000_000e9)
	ev := func(proto, kind, detail string) {
		ts += 1e9
		d.Event(&dissect.Event{TS: ts, Flow: fl, Src: dissect.Orig, Proto: proto, Kind: kind, Detail: detail})
	}
	ev("smb", dissect.EvFileTransfer, "write PSEXESVC.exe")
	ev("smb", dissect.EvCommand, "svcctl.OpenSCManagerW")
	ev("smb", dissect.EvCommand, "svcctl.CreateServiceW")
	ev("smb", dissect.EvCommand, "svcctl.StartServiceW")
	ev("smb", dissect.EvFileTransfer, `tools\Mimi.EXE`) // no "write " prefix: not a write
	ev("smb", dissect.EvFileTransfer, `write tools\Mimi.EXE`)
	ev("smb", dissect.EvFileTransfer, `write tools\mimi.exe`)
	ev("smb", dissect.EvFileTransfer, `write drop/run.ps1`)
	ev("smb", dissect.EvFileTransfer, "read PAEXEC-1234.exe")
	ev("smb", dissect.EvFileTransfer, `write recipes\batch.csv`)
	ev("smb", dissect.EvFileTransfer, `write .exe`)
	ev("ftp", dissect.EvFileTransfer, "write setup.exe")
	ev("dce_rpc", dissect.EvCommand, "svcctl.CreateServiceW")
	got := map[string][]string{}
	for _, a := range d.Alerts() {
		got[a.Rule] = append(got[a.Rule], fmt.Sprintf("%s>%s %s x%d", a.Src, a.Dst, a.Detail, a.Count))
	}
	for rule, want := range map[string][]string{
		"psexec":       {"10.1.0.5>10.1.0.9  x1"},
		"remote_svc":   {"10.1.0.5>10.1.0.9  x2"},
		"exe_transfer": {"10.1.0.5>10.1.0.9 mimi.exe x2", "10.1.0.5>10.1.0.9 run.ps1 x1"},
	} {
		g := got[rule]
		sort.Strings(g)
		if strings.Join(g, "|") != strings.Join(want, "|") {
			t.Errorf("%s: %q, want %q", rule, g, want)
		}
		delete(got, rule)
	}
	if len(got) != 0 {
		t.Errorf("other alerts: %v", got)
	}
}

// DoublePulsar's SMB1 request and its answer (named anomalies of the SMB dissector, see
// TestDoublePulsar in dissect/smb) raise one Critical malware alert for the pair, attacker →
// target; another SMB anomaly does not.
func TestDoublePulsarAlert(t *testing.T) {
	d := learningDetector()
	fl := flowOf("Cdp1", 6, "10.2.0.66", 49152, "10.2.0.10", 445)
	for i, name := range []string{"smb1_trans2_session_setup", "smb1_doublepulsar_reply", "smb_unmatched_response"} {
		d.Weird(&dissect.WeirdEvent{TS: int64(1_700_000_000e9) + int64(i)*1e6, Flow: fl, Proto: "smb", Name: name})
	}
	wantAlerts(t, d, func(a *detect.Alert) string {
		return fmt.Sprintf("%s %s %s>%s x%d", a.Rule, a.Severity, a.Src, a.Dst, a.Count)
	}, "doublepulsar Critical 10.2.0.66>10.2.0.10 x2")
}

// The SMB dissector's MS08-067 anomaly raises "Suspicion of Conficker Malware" while the site
// is still learning, one alert per pair (the exploit retried counts up), with Defender's
// ATT&CK techniques.
func TestConfickerAlert(t *testing.T) {
	d := learningDetector()
	ts := int64(1_700_000_000e9)
	for i, pair := range [][2]string{{"10.2.0.66", "10.2.0.10"}, {"10.2.0.66", "10.2.0.10"}, {"10.2.0.66", "10.2.0.11"}} {
		fl := flowOf(fmt.Sprintf("Ccf%d", i), 6, pair[0], uint16(49152+i), pair[1], 445)
		d.Weird(&dissect.WeirdEvent{TS: ts + int64(i)*1e9, Flow: fl, Proto: "smb", Name: "dce_rpc_path_canonicalize_traversal"})
	}
	wantAlerts(t, d, func(a *detect.Alert) string {
		return fmt.Sprintf("%s %s %s %s>%s x%d %v", a.Rule, a.Title, a.Severity, a.Src, a.Dst, a.Count, a.Techniques)
	},
		"conficker Suspicion of Conficker Malware Critical 10.2.0.66>10.2.0.10 x2 [T0826 T0828 T0847]",
		"conficker Suspicion of Conficker Malware Critical 10.2.0.66>10.2.0.11 x1 [T0826 T0828 T0847]")
}

// NXDOMAIN answers for 25 distinct names within a minute raise "Suspicion of Malicious Activity
// (Name Queries)" against the host that asked, during learning too; 24 names, one name asked
// again and again, or 25 names spread over more than a minute do not.
func TestNameQueriesAlert(t *testing.T) {
	d := learningDetector()
	ts := int64(1_700_000_000e9)
	nxdomain := func(host string, name string, at int64) {
		fl := flowOf("Cnx"+host, 17, host, 51000, "10.9.0.1", 53)
		d.Event(&dissect.Event{TS: at, Flow: fl, Src: dissect.Resp, Proto: "dns", Kind: dissect.EvNameError, Detail: name})
	}
	for i := range 25 {
		nxdomain("10.9.0.21", fmt.Sprintf("q%dwxkzj.info", i), ts+int64(i)*1e9)    // 25 names in 25 s
		nxdomain("10.9.0.22", fmt.Sprintf("q%dwxkzj.info", i%24), ts+int64(i)*1e9) // 24 names
		nxdomain("10.9.0.23", "printer.plant.local", ts+int64(i)*1e9)              // one name
		nxdomain("10.9.0.24", fmt.Sprintf("q%dwxkzj.info", i), ts+int64(i)*3e9)    // 25 names in 75 s
	}
	wantAlerts(t, d, func(a *detect.Alert) string {
		return fmt.Sprintf("%s %s %s>%s %v", a.Rule, a.Engine, a.Src, a.Dst, a.Techniques)
	}, "name_queries Malware 10.9.0.21>10.9.0.1 [T0884]")
}

// The EICAR test file seen by the HTTP or SMB dissector raises Defender's EICAR alert, one per
// pair and protocol, naming the file where the dissector knows it.
func TestEICARAlert(t *testing.T) {
	d := learningDetector()
	fl := flowOf("Cav1", 6, "10.3.0.20", 50123, "10.3.0.1", 445)
	ts := int64(1_700_000_000e9)
	for _, w := range []dissect.WeirdEvent{{Proto: "smb", Name: "smb_eicar_test_file", Addl: `test\eicar.com`},
		{Proto: "smb", Name: "smb_eicar_test_file", Addl: `test\eicar2.com`}, {Proto: "http", Name: "http_eicar_test_file"}} {
		ts += 1e9
		w.TS, w.Flow = ts, fl
		d.Weird(&w)
	}
	wantAlerts(t, d, func(a *detect.Alert) string {
		return fmt.Sprintf("%s %s x%d: %s", a.Rule, a.Protocol, a.Count, a.Message)
	},
		"eicar http x1: The EICAR anti-virus test file went over http between 10.3.0.20 and 10.3.0.1",
		`eicar smb x2: The EICAR anti-virus test file (test\eicar.com) went over smb between 10.3.0.20 and 10.3.0.1`)
}

// A lookup of one of WannaCry's kill-switch domains (or a name under it, in any case, with or
// without the final dot) raises the WannaCry alert, one per host and domain; other names do not.
func TestWannaCryKillSwitch(t *testing.T) {
	d := learningDetector()
	fl := flowOf("Cdns1", 17, "10.4.0.30", 53001, "10.4.0.1", 53)
	ts := int64(1_700_000_000e9)
	for _, q := range []string{"www.iuqerfsodp9ifjaposdfjhgosurijfaewrwergwea.com", "WWW.IUQERFSODP9IFJAPOSDFJHGOSURIJFAEWRWERGWEA.COM.",
		"www.ayylmaotjhsstasdfasdfasdfasdfasdfasdfasdf.com", "iuqerfsodp9ifjaposdfjhgosurijfaewrwergwea.com.example.org", "com", "plant.local"} {
		ts += 1e9
		d.Event(&dissect.Event{TS: ts, Flow: fl, Src: dissect.Orig, Proto: "dns", Kind: dissect.EvNameQuery, Detail: q})
	}
	wantAlerts(t, d, func(a *detect.Alert) string { return fmt.Sprintf("%s %s %s x%d", a.Rule, a.Src, a.Detail, a.Count) },
		"wannacry 10.4.0.30 ayylmaotjhsstasdfasdfasdfasdfasdfasdfasdf.com x1", "wannacry 10.4.0.30 iuqerfsodp9ifjaposdfjhgosurijfaewrwergwea.com x2")
}

// learningDetector is a detector still learning (for an hour of packet time): malware rules
// must fire anyway.
func learningDetector() *detect.Detector {
	return detect.New(detect.Config{Site: "t", LearningPeriod: 3600e9}, nil)
}

// flowOf is a flow of IP protocol proto from src:sport to dst:dport.
func flowOf(uid string, proto uint8, src string, sport uint16, dst string, dport uint16) *dissect.FlowInfo {
	return &dissect.FlowInfo{UID: uid, Proto: proto,
		Orig: dissect.Endpoint{IP: netip.MustParseAddr(src), Port: sport},
		Resp: dissect.Endpoint{IP: netip.MustParseAddr(dst), Port: dport}}
}

// alertLines formats every alert with line and sorts the lines.
// wantAlerts fails the test unless the detector's alerts, each turned into a line, are want
// (in sorted order).
func wantAlerts(t *testing.T, d *detect.Detector, line func(a *detect.Alert) string, want ...string) {
	t.Helper()
	if got := alertLines(d, line); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("alerts %q, want %q", got, want)
	}
}

func alertLines(d *detect.Detector, line func(a *detect.Alert) string) []string {
	var out []string
	for _, a := range d.Alerts() {
		out = append(out, line(a))
	}
	sort.Strings(out)
	return out
}
