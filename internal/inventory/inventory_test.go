package inventory_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/quietwire/quietwire/dissect"
	_ "github.com/quietwire/quietwire/dissect/all"
	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/inventory"
	"github.com/quietwire/quietwire/internal/store"
	"github.com/quietwire/quietwire/internal/testutil"
	"github.com/quietwire/quietwire/internal/testutil/replay"
)

func analyze(t *testing.T, site string, files ...string) *inventory.Inventory {
	t.Helper()
	inv := inventory.New(inventory.Config{Site: site})
	replay.Run(t, engine.Config{Site: site, Observer: inv}, files...)
	return inv
}

func devicesWith(snap *inventory.Snapshot, attr, value string) []*inventory.Device {
	var out []*inventory.Device
	for _, d := range snap.Devices {
		if strings.EqualFold(d.Get(attr), value) {
			out = append(out, d)
		}
	}
	return out
}

// Every CIP identity tshark decodes in a capture lands on exactly one device, the one with the
// responder's IP, with tshark's serial, product name, vendor id and revision.
func TestCIPIdentityAgainstTshark(t *testing.T) {
	files := testutil.CorpusFiles(t, "enip-cip")
	checked := 0
	for _, f := range files {
		oracle := f + ".oracle/enip.tsv"
		ids := oracleIdentities(t, oracle)
		if len(ids) == 0 {
			continue
		}
		snap := analyze(t, "plant", f).Snapshot()
		for _, id := range ids {
			serial := fmt.Sprintf("0x%08x", id.serial)
			ds := devicesWith(snap, dissect.AttrSerial, serial)
			if len(ds) != 1 {
				t.Fatalf("%s: serial %s on %d devices", filepath.Base(f), serial, len(ds))
			}
			d := ds[0]
			if !contains(d.IPs, id.ip) {
				t.Errorf("%s: serial %s on %s (%v), tshark says %s", filepath.Base(f), serial, d.ID, d.IPs, id.ip)
			}
			if d.Get(dissect.AttrModel) != id.product {
				t.Errorf("%s: model %q, tshark %q", filepath.Base(f), d.Get(dissect.AttrModel), id.product)
			}
			if d.Get(dissect.AttrFirmware) != id.rev {
				t.Errorf("%s: firmware %q, tshark revision %q", filepath.Base(f), d.Get(dissect.AttrFirmware), id.rev)
			}
			if d.Get(dissect.AttrVendorID) != fmt.Sprint(id.vendor) {
				t.Errorf("%s: vendor id %q, tshark %d", filepath.Base(f), d.Get(dissect.AttrVendorID), id.vendor)
			}
			if d.Type != "PLC" {
				t.Errorf("%s: %s classified %q", filepath.Base(f), d.ID, d.Type)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no CIP identity found in any oracle")
	}
	t.Logf("%d identities checked", checked)
}

type cipID struct {
	ip, product, rev string
	serial           uint64
	vendor           uint64
}

func oracleIdentities(t *testing.T, path string) []cipID {
	b, err := readFile(path)
	if err != nil {
		return nil
	}
	lines := strings.Split(b, "\n")
	if len(lines) < 2 {
		return nil
	}
	col := map[string]int{}
	for i, h := range strings.Split(lines[0], "\t") {
		col[h] = i
	}
	seen := map[string]bool{}
	var out []cipID
	for _, l := range lines[1:] {
		f := strings.Split(l, "\t")
		get := func(n string) string {
			if i, ok := col[n]; ok && i < len(f) {
				return f[i]
			}
			return ""
		}
		if get("cip.id.serial_number") == "" || seen[get("cip.id.serial_number")] {
			continue
		}
		seen[get("cip.id.serial_number")] = true
		var id cipID
		fmt.Sscanf(get("cip.id.serial_number"), "0x%x", &id.serial)
		fmt.Sscanf(get("cip.id.vendor_id"), "0x%x", &id.vendor)
		id.ip, id.product = get("ip.src"), get("cip.id.product_name")
		id.rev = get("cip.id.major_rev") + "." + get("cip.id.minor_rev")
		out = append(out, id)
	}
	return out
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// The S7 identity that ICSNPP's s7comm_known_devices baseline shows (SZL 0x001C) is one device.
func TestS7IdentityAgainstICSNPP(t *testing.T) {
	d := testutil.Corpus(t)
	f := filepath.Join(d, "s7comm", "icsnpp-s7comm__s7ident.pcap")
	base := replay.ZeekTSV(t, f+".gt/zeek-baseline/analyzer.s7ident/s7comm_known_devices.log")
	if len(base) == 0 {
		t.Fatal("empty baseline")
	}
	snap := analyze(t, "plant", f).Snapshot()
	for _, row := range base {
		ds := devicesWith(snap, dissect.AttrSerial, row["module_serial"])
		if len(ds) != 1 {
			t.Fatalf("serial %q on %d devices", row["module_serial"], len(ds))
		}
		dev := ds[0]
		if !contains(dev.IPs, row["source_h"]) && !contains(dev.IPs, row["id.resp_h"]) {
			t.Errorf("serial on %v, baseline source %s", dev.IPs, row["source_h"])
		}
		if dev.Get(dissect.AttrModel) != row["module_name"] && dev.Get(dissect.AttrName) != row["module_name"] {
			t.Errorf("model %q name %q, baseline module_name %q", dev.Get(dissect.AttrModel), dev.Get(dissect.AttrName), row["module_name"])
		}
		if dev.Type != "PLC" || dev.Purdue != "1" {
			t.Errorf("classified %q level %q", dev.Type, dev.Purdue)
		}
	}
}

// Two sites with the same IP plan never merge, even in one store.
func TestSitesStayApart(t *testing.T) {
	d := testutil.Corpus(t)
	f := filepath.Join(d, "modbus", "zeek__modbusSmall.pcap")
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, site := range []string{"plant-a", "plant-b"} {
		inv := analyze(t, site, f)
		if err := st.SaveInventory(context.Background(), site, inv.Export(), 1); err != nil {
			t.Fatal(err)
		}
	}
	var snaps []*inventory.Snapshot
	for _, site := range []string{"plant-a", "plant-b"} {
		saved, err := st.LoadInventory(context.Background(), site)
		if err != nil {
			t.Fatal(err)
		}
		inv := inventory.New(inventory.Config{Site: site})
		inv.Import(saved)
		snaps = append(snaps, inv.Snapshot())
	}
	if len(snaps[0].Devices) == 0 || len(snaps[0].Devices) != len(snaps[1].Devices) {
		t.Fatalf("devices: %d and %d", len(snaps[0].Devices), len(snaps[1].Devices))
	}
	ids := map[string]bool{}
	for _, d := range snaps[0].Devices {
		ids[d.ID] = true
		if !strings.HasPrefix(d.ID, "plant-a/") {
			t.Fatalf("device %s in plant-a", d.ID)
		}
	}
	for _, d := range snaps[1].Devices {
		if ids[d.ID] {
			t.Fatalf("device %s in both sites", d.ID)
		}
	}
	if a, b := snaps[0].Devices[0].IPs, snaps[1].Devices[0].IPs; strings.Join(a, ",") != strings.Join(b, ",") {
		t.Fatalf("same capture, different IPs: %v %v", a, b)
	}
}

func flow(orig, resp string, omac, rmac [6]byte, port uint16, ts int64) *engine.FlowSummary {
	return &engine.FlowSummary{
		Info: &dissect.FlowInfo{UID: "C1", Proto: 6,
			Orig: dissect.Endpoint{IP: netip.MustParseAddr(orig), Port: 40000, MAC: omac},
			Resp: dissect.Endpoint{IP: netip.MustParseAddr(resp), Port: port, MAC: rmac}},
		First: ts, Last: ts + 1e9, OrigPkts: 3, RespPkts: 3, OrigBytes: 200, RespBytes: 300, Service: "modbus",
		OrigMACSeen: true, RespMACSeen: true,
		Commands: []dissect.CommandCount{{Name: "READ_HOLDING_REGISTERS", N: 2}},
	}
}

func TestIdentityRules(t *testing.T) {
	inv := inventory.New(inventory.Config{Site: "s"})
	hmi := [6]byte{0x00, 0x1d, 0x09, 1, 1, 1}
	plc := [6]byte{0x00, 0x1b, 0x1b, 2, 2, 2}
	gw := [6]byte{0x00, 0x00, 0x0c, 9, 9, 9}
	other := [6]byte{0x00, 0x00, 0xbc, 7, 7, 7}
	// DHCP renewal: the HMI changes IP, same MAC.
	inv.FlowEnd(flow("10.0.0.5", "10.0.0.10", hmi, plc, 502, 1e9))
	inv.FlowEnd(flow("10.0.0.6", "10.0.0.10", hmi, plc, 502, 100e9))
	// Five remote hosts behind the gateway MAC.
	for i := 1; i <= 5; i++ {
		inv.FlowEnd(flow(fmt.Sprintf("192.168.50.%d", i), "10.0.0.10", gw, plc, 502, int64(200+i)*1e9))
	}
	// The PLC's IP also claimed by another MAC: a conflict.
	inv.FlowEnd(flow("10.0.0.5", "10.0.0.10", hmi, other, 502, 300e9))
	snap := inv.Snapshot()
	byID := map[string]*inventory.Device{}
	for _, d := range snap.Devices {
		byID[d.ID] = d
	}
	h := byID["s/mac:00:1d:09:01:01:01"]
	if h == nil || strings.Join(h.IPs, ",") != "10.0.0.5,10.0.0.6" {
		t.Fatalf("HMI after renewal: %+v", h)
	}
	if h.Type != "unclassified" && h.Type != "HMI" {
		t.Fatalf("HMI type %q", h.Type)
	}
	for i := 1; i <= 5; i++ {
		d := byID[fmt.Sprintf("s/ip:192.168.50.%d", i)]
		if d == nil || !d.Routed {
			t.Fatalf("remote host %d: %+v", i, d)
		}
	}
	r := byID["s/mac:00:00:0c:09:09:09"]
	if r == nil || r.Type != "router" {
		t.Fatalf("gateway: %+v", r)
	}
	if len(snap.Conflicts) != 1 || snap.Conflicts[0].IP != "10.0.0.10" || len(snap.Conflicts[0].MACs) != 2 {
		t.Fatalf("conflicts %+v", snap.Conflicts)
	}
	if v := byID["s/mac:00:1d:09:01:01:01"].Get(dissect.AttrVendor); v != "Dell Inc." {
		t.Fatalf("OUI vendor %q", v)
	}
	var modbusEdges int
	for _, c := range snap.Connections {
		if c.Proto == "modbus" && c.Commands["READ_HOLDING_REGISTERS"] > 0 {
			modbusEdges++
		}
	}
	if modbusEdges < 6 {
		t.Fatalf("%d modbus edges with commands", modbusEdges)
	}
}

func TestUserValuesWin(t *testing.T) {
	inv := inventory.New(inventory.Config{Site: "s"})
	plc := [6]byte{0x00, 0x1b, 0x1b, 2, 2, 2}
	fl := flow("10.0.0.5", "10.0.0.10", [6]byte{0, 0x1d, 9, 1, 1, 1}, plc, 102, 1e9)
	inv.FlowEnd(fl)
	inv.SetUser("s/mac:00:1b:1b:02:02:02", "name", "Press line PLC")
	inv.SetUser("s/mac:00:1b:1b:02:02:02", "purdue_level", "2")
	inv.Fact(&dissect.Fact{TS: 5e9, Flow: fl.Info, Side: dissect.Resp, Proto: "s7comm", Attr: dissect.AttrName, Value: "PLC_1", Field: "szl"})
	var d *inventory.Device
	for _, x := range inv.Snapshot().Devices {
		if x.ID == "s/mac:00:1b:1b:02:02:02" {
			d = x
		}
	}
	if d == nil || d.Get("name") != "Press line PLC" || d.Purdue != "2" {
		t.Fatalf("user values lost: %+v", d)
	}
	if d.Attrs["name"].Value != "PLC_1" {
		t.Fatalf("inferred value not kept beside the user's: %+v", d.Attrs["name"])
	}
}

func TestAttributeHistory(t *testing.T) {
	inv := inventory.New(inventory.Config{Site: "s"})
	fl := flow("10.0.0.5", "10.0.0.10", [6]byte{0, 0x1d, 9, 1, 1, 1}, [6]byte{0, 0x1b, 0x1b, 2, 2, 2}, 102, 1e9)
	inv.FlowEnd(fl)
	for i, fw := range []string{"V3.2.6", "V3.2.6", "V3.3.0"} {
		inv.Fact(&dissect.Fact{TS: int64(i+1) * 1e9, Flow: fl.Info, Side: dissect.Resp, Proto: "s7comm", Attr: dissect.AttrFirmware, Value: fw, Field: "szl_0x0011.firmware"})
	}
	// A weaker source does not overwrite protocol identity.
	inv.Fact(&dissect.Fact{TS: 9e9, Flow: fl.Info, Side: dissect.Resp, Proto: "http", Attr: dissect.AttrFirmware, Value: "junk", Field: "server"})
	var a *inventory.Attr
	for _, d := range inv.Snapshot().Devices {
		if x := d.Attrs[dissect.AttrFirmware]; x != nil {
			a = x
		}
	}
	if a == nil || a.Value != "V3.3.0" || len(a.History) != 1 || a.History[0].Old != "V3.2.6" || a.Field != "szl_0x0011.firmware" {
		t.Fatalf("firmware attr %+v", a)
	}
}

func TestStoreRoundTrip(t *testing.T) {
	inv := inventory.New(inventory.Config{Site: "s"})
	fl := flow("10.0.0.5", "10.0.0.10", [6]byte{0, 0x1d, 9, 1, 1, 1}, [6]byte{0, 0x1b, 0x1b, 2, 2, 2}, 502, 1e9)
	for i := 0; i < 5; i++ {
		fl.First = int64(i) * 10e9
		inv.FlowEnd(fl)
	}
	inv.Fact(&dissect.Fact{TS: 1, Flow: fl.Info, Side: dissect.Resp, Proto: "modbus", Attr: dissect.AttrRole, Value: "modbus_server"})
	inv.SetUser("s/mac:00:1b:1b:02:02:02", "zone", "cell-1")
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.SaveInventory(context.Background(), "s", inv.Export(), 1); err != nil {
		t.Fatal(err)
	}
	saved, err := st.LoadInventory(context.Background(), "s")
	if err != nil {
		t.Fatal(err)
	}
	inv2 := inventory.New(inventory.Config{Site: "s"})
	inv2.Import(saved)
	a, b := inv.Snapshot(), inv2.Snapshot()
	if fmt.Sprintf("%+v", dump(a)) != fmt.Sprintf("%+v", dump(b)) {
		t.Fatalf("round trip differs:\n%v\n%v", dump(a), dump(b))
	}
	if c := b.Connections[0]; c.PeriodS != 10 || c.Flows != 5 {
		t.Fatalf("periodicity lost: %+v", c)
	}
}

func dump(s *inventory.Snapshot) []string {
	var out []string
	for _, d := range s.Devices {
		out = append(out, fmt.Sprintf("%s %v %v %s %s %v %s", d.ID, d.IPs, d.MACs, d.Type, d.Purdue, d.Roles, d.Get("zone")))
	}
	for _, c := range s.Connections {
		out = append(out, fmt.Sprintf("%s>%s %s %d %d %v %g", c.Client, c.Server, c.Proto, c.Port, c.Flows, c.Commands, c.PeriodS))
	}
	return out
}

// The largest Defender sensor profile: 12,000 devices and 100,000 edges. Reports the cost of
// a fact update on the steady path and the inventory's heap.
func BenchmarkFactUpdate(b *testing.B) {
	inv := inventory.New(inventory.Config{Site: "s"})
	var infos []*dissect.FlowInfo
	for i := 0; i < 12000; i++ {
		ip := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		mac := [6]byte{0, 0x1b, 0x1b, byte(i >> 16), byte(i >> 8), byte(i)}
		infos = append(infos, &dissect.FlowInfo{Proto: 6, Orig: dissect.Endpoint{IP: ip, Port: 40000, MAC: mac},
			Resp: dissect.Endpoint{IP: ip, Port: 502, MAC: mac}})
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for e := 0; e < 100000; e++ {
		a, c := infos[e%12000], infos[(e*7+1)%12000]
		fi := &dissect.FlowInfo{Proto: 6, Orig: a.Orig, Resp: dissect.Endpoint{IP: c.Orig.IP, Port: uint16(502 + e/12000), MAC: c.Orig.MAC}}
		inv.FlowEnd(&engine.FlowSummary{Info: fi, First: int64(e), Last: int64(e) + 1, OrigPkts: 1, RespPkts: 1, OrigMACSeen: true, RespMACSeen: true, Service: "modbus",
			Commands: []dissect.CommandCount{{Name: "READ_HOLDING_REGISTERS", N: 1}}})
	}
	for i, fi := range infos {
		inv.Fact(&dissect.Fact{TS: 1, Flow: fi, Side: dissect.Resp, Proto: "enip", Attr: dissect.AttrFirmware, Value: "1.2", Field: "x"})
		_ = i
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	eps, edges := inv.Counts()
	f := &dissect.Fact{Side: dissect.Resp, Proto: "enip", Attr: dissect.AttrFirmware, Value: "1.2", Field: "x"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f.Flow = infos[i%12000]
		f.TS = int64(i)
		inv.Fact(f)
	}
	b.StopTimer()
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MiB")
	b.ReportMetric(float64(eps), "endpoints")
	b.ReportMetric(float64(edges), "edges")
}

func readFile(p string) (string, error) {
	b, err := os.ReadFile(p)
	return string(b), err
}

// DHCP host names in Zeek's dhcp.log baselines land on the device with that MAC.
func TestDHCPHostnamesAgainstZeek(t *testing.T) {
	d := testutil.Corpus(t)
	bases, _ := filepath.Glob(filepath.Join(d, "dhcp", "*.gt", "zeek-baseline", "*", "dhcp.log"))
	checked := 0
	for _, b := range bases {
		capPath := b[:strings.Index(b, ".gt/")]
		want := map[string]string{}
		for _, row := range replay.ZeekTSV(t, b) {
			if row["host_name"] != "" && row["host_name"] != "-" && row["mac"] != "-" {
				want[row["mac"]] = row["host_name"]
			}
		}
		if len(want) == 0 {
			continue
		}
		snap := analyze(t, "s", capPath).Snapshot()
		for mac, host := range want {
			var dev *inventory.Device
			for _, x := range snap.Devices {
				if contains(x.MACs, mac) {
					dev = x
				}
			}
			if dev == nil {
				t.Errorf("%s: no device with MAC %s", filepath.Base(capPath), mac)
				continue
			}
			if got := dev.Get(dissect.AttrHostname); got != host {
				t.Errorf("%s: %s hostname %q, Zeek %q", filepath.Base(capPath), mac, got, host)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no DHCP host name checked")
	}
	t.Logf("%d DHCP host names checked", checked)
}

// BACnet vendor and model names read from device objects (ICSNPP's bacnet_property baselines)
// are the responding device's vendor and model.
func TestBACnetIdentityAgainstICSNPP(t *testing.T) {
	d := testutil.Corpus(t)
	bases, _ := filepath.Glob(filepath.Join(d, "bacnet", "*.gt", "zeek-baseline", "*", "bacnet_property.log"))
	checked := 0
	for _, b := range bases {
		capPath := b[:strings.Index(b, ".gt/")]
		// A source announcing several device instances is a BACnet router or gateway: the
		// properties it relays belong to devices behind it, not to its IP.
		instances := map[string]map[string]bool{}
		disc := filepath.Join(filepath.Dir(b), "bacnet_discovery.log")
		if _, err := os.Stat(disc); err == nil {
			for _, row := range replay.ZeekTSV(t, disc) {
				if row["pdu_service"] == "i-am" {
					if instances[row["source_h"]] == nil {
						instances[row["source_h"]] = map[string]bool{}
					}
					instances[row["source_h"]][row["instance_number"]] = true
				}
			}
		}
		var rows []map[string]string
		for _, row := range replay.ZeekTSV(t, b) {
			if len(instances[row["source_h"]]) > 1 {
				continue
			}
			if row["pdu_service"] == "read-property-ack" && row["object_type"] == "device" &&
				(row["property"] == "model-name" || row["property"] == "vendor-name") && row["value"] != "-" {
				rows = append(rows, row)
			}
		}
		if len(rows) == 0 {
			continue
		}
		snap := analyze(t, "s", capPath).Snapshot()
		for _, row := range rows {
			attr := dissect.AttrModel
			if row["property"] == "vendor-name" {
				attr = dissect.AttrVendor
			}
			var dev *inventory.Device
			for _, x := range snap.Devices {
				if contains(x.IPs, row["source_h"]) {
					dev = x
				}
			}
			if dev == nil {
				t.Errorf("%s: no device %s", filepath.Base(capPath), row["source_h"])
				continue
			}
			if got := dev.Get(attr); got != row["value"] {
				t.Errorf("%s: %s %s %q, ICSNPP %q", filepath.Base(capPath), row["source_h"], attr, got, row["value"])
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no BACnet identity checked")
	}
	t.Logf("%d BACnet identity values checked", checked)
}

// LLDP system names, decoded independently by gopacket's LLDP layer, are the sending
// device's hostname.
func TestLLDPSystemNamesAgainstGopacket(t *testing.T) {
	files := append(testutil.CorpusFiles(t, "lldp"), testutil.CorpusFiles(t, "iec104")...)
	checked := 0
	for _, f := range files {
		want := lldpNames(t, f)
		if len(want) == 0 {
			continue
		}
		snap := analyze(t, "s", f).Snapshot()
		for mac, name := range want {
			var dev *inventory.Device
			for _, x := range snap.Devices {
				if contains(x.MACs, mac) {
					dev = x
				}
			}
			if dev == nil {
				t.Errorf("%s: no device with MAC %s", filepath.Base(f), mac)
				continue
			}
			if got := dev.Get(dissect.AttrHostname); got != name {
				t.Errorf("%s: %s hostname %q, LLDP system name %q", filepath.Base(f), mac, got, name)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no LLDP system name checked")
	}
	t.Logf("%d LLDP system names checked", checked)
}

func lldpNames(t *testing.T, path string) map[string]string {
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var src gopacket.PacketDataSource
	if strings.HasSuffix(path, ".pcapng") {
		r, err := pcapgo.NewNgReader(fh, pcapgo.DefaultNgReaderOptions)
		if err != nil {
			return nil
		}
		src = r
	} else {
		r, err := pcapgo.NewReader(fh)
		if err != nil {
			return nil
		}
		src = r
	}
	out := map[string]string{}
	for {
		data, _, err := src.ReadPacketData()
		if err != nil {
			break
		}
		p := gopacket.NewPacket(data, layers.LayerTypeEthernet, gopacket.Default)
		info, ok := p.Layer(layers.LayerTypeLinkLayerDiscoveryInfo).(*layers.LinkLayerDiscoveryInfo)
		eth, ok2 := p.Layer(layers.LayerTypeEthernet).(*layers.Ethernet)
		if ok && ok2 && info.SysName != "" {
			// gopacket keeps a terminating NUL some devices send; we trim it.
			out[eth.SrcMAC.String()] = strings.TrimRight(info.SysName, "\x00")
		}
	}
	return out
}

func TestRetentionPrune(t *testing.T) {
	inv := inventory.New(inventory.Config{Site: "s"})
	old := flow("10.0.0.5", "10.0.0.10", [6]byte{0, 0x1d, 9, 1, 1, 1}, [6]byte{0, 0x1b, 0x1b, 2, 2, 2}, 502, 1e9)
	inv.FlowEnd(old)
	recent := flow("10.0.0.7", "10.0.0.11", [6]byte{0, 0x1d, 9, 1, 1, 7}, [6]byte{0, 0x1b, 0x1b, 2, 2, 7}, 502, 100e9)
	inv.FlowEnd(recent)
	if inv.Latest() != 101e9 {
		t.Fatalf("latest %d", inv.Latest())
	}
	eps, edges := inv.Prune(50e9)
	if eps != 2 || edges != 1 {
		t.Fatalf("pruned %d endpoints %d edges", eps, edges)
	}
	snap := inv.Snapshot()
	if len(snap.Devices) != 2 || len(snap.Connections) != 1 || snap.Connections[0].ServerAddr != "10.0.0.11" {
		t.Fatalf("after pruning: %d devices %+v", len(snap.Devices), snap.Connections)
	}
}

// Export is saved (marshalled) after the inventory's lock is released while workers keep
// updating it, as the sensor and the demo do every 30 s: the state shares none of the
// inventory's maps and slices. Under `go test -race` this failed with a data race between
// bindMAC's map write and json.Marshal of the exported MAC table (the demo's browser test).
func TestExportSharesNothingWithLiveInventory(t *testing.T) {
	inv := inventory.New(inventory.Config{Site: "s"})
	hmi := [6]byte{0x00, 0x1d, 0x09, 1, 1, 1}
	plc := [6]byte{0x00, 0x1b, 0x1b, 2, 2, 2}
	fl := flow("10.0.0.5", "10.0.0.10", hmi, plc, 502, 1e9)
	inv.FlowEnd(fl)
	inv.Fact(&dissect.Fact{TS: 2e9, Flow: fl.Info, Side: dissect.Resp, Proto: "s7comm", Attr: dissect.AttrFirmware, Value: "V1", Field: "szl"})
	st := inv.Export()
	before, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 200; i++ {
			// New IPs behind the same MACs, new commands on the edge, firmware changes
			// (attribute history): every map and slice Export copies.
			f := flow(fmt.Sprintf("10.0.1.%d", i), "10.0.0.10", hmi, plc, 502, int64(3+i)*1e9)
			f.Commands = []dissect.CommandCount{{Name: fmt.Sprintf("CMD_%d", i), N: 1}}
			inv.FlowEnd(f)
			inv.Fact(&dissect.Fact{TS: int64(3+i) * 1e9, Flow: fl.Info, Side: dissect.Resp, Proto: "s7comm", Attr: dissect.AttrFirmware, Value: fmt.Sprintf("V%d", i+2), Field: "szl"})
		}
	}()
	for i := 0; i < 50; i++ {
		if _, err := json.Marshal(st); err != nil {
			t.Fatal(err)
		}
	}
	<-done
	after, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Fatalf("the exported state changed with the live inventory:\nbefore %s\nafter  %s", before, after)
	}
}
