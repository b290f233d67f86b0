package arp

import (
	"net/netip"

	"github.com/quietwire/quietwire/dissect"
)

const logARP = "arp"

// Reply storm: more than stormReplies replies within one second of packet time on one
// pseudo-flow (source MAC → destination MAC), reported at most once per reportEvery.
const stormReplies = 50

// parser handles one (source MAC, destination MAC, VLAN) ARP pseudo-flow.
type parser struct {
	env *dissect.Env

	lastSPA    netip.Addr // sender IP last reported as a fact (facts only on change)
	mismatched bool       // arp_sender_mac_mismatch reported on this pseudo-flow

	targets    map[netip.Addr]bool // distinct addresses this sender asked for (capped)
	table      *bindingTable       // the run's IP→MAC bindings
	winStart   int64               // reply-storm window start (packet time)
	winReplies int
	stormAt    int64 // last arp_reply_storm report, 0 if never
}

// maxTargets bounds the distinct requested addresses remembered per sender.
const maxTargets = 256

func newParser(env *dissect.Env) dissect.Parser { return &parser{env: env} }

// Parse decodes one ARP frame payload (after the Ethertype or SNAP header).
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	env := p.env
	var a packet
	if pr := parse(b, &a); pr != okPacket {
		env.Weird(weirdName(pr), explain(pr, &a, len(b)))
		return len(b), nil
	}
	env.PDU()
	op := opName(a.op)
	env.Command(op)
	grat := (a.op == opRequest || a.op == opReply) && a.spa == a.tpa && !a.spa.IsUnspecified()
	p.log(&a, op, grat)

	src := env.Flow.Orig.MAC
	mismatch := src != ([6]byte{}) && src != a.sha
	if mismatch && !p.mismatched {
		p.mismatched = true
		env.Weird(weirdSenderMismatch, "sender "+macString(a.sha)+" in a frame from "+macString(src))
	}
	if a.op == opReply {
		p.countReply()
	}
	if a.op == opRequest && !grat && !a.tpa.IsUnspecified() && !p.targets[a.tpa] && len(p.targets) < maxTargets {
		// Each new address asked for is a scan step for detection (ARP Address Scan counts
		// distinct targets per sender over a window).
		if p.targets == nil {
			p.targets = map[netip.Addr]bool{}
		}
		p.targets[a.tpa] = true
		env.Event(dissect.Orig, dissect.EvScan, "who-has "+a.tpa.String())
	}
	if a.op != opRequest && a.op != opReply || a.spa.IsUnspecified() || a.sha == ([6]byte{}) {
		return len(b), nil // ARP probes (RFC 5227) and RARP/InARP bind nothing
	}
	if p.table == nil {
		p.table = env.Shared("arp.bindings", newBindingTable).(*bindingTable)
	}
	switch res, old := p.table.claim(env.Flow.VLAN, a.spa, a.sha, env.TS); res {
	case claimConflict:
		name, verb := weirdIPConflict, " claimed by "
		if grat {
			name, verb = weirdGratuitousMove, " moved by gratuitous ARP from "
		}
		env.Weird(name, a.spa.String()+verb+macString(old)+" and "+macString(a.sha))
	case claimFull:
		env.Weird(weirdTableFull, "binding table holds its maximum of 65536 IPs: new IPs are not checked")
	}
	if !mismatch && a.spa != p.lastSPA {
		p.lastSPA = a.spa
		env.Fact(dissect.Orig, dissect.AttrIP, a.spa.String(), "arp.spa")
	}
	return len(b), nil
}

func (p *parser) countReply() {
	env := p.env
	if env.TS-p.winStart >= 1e9 || env.TS < p.winStart {
		p.winStart, p.winReplies = env.TS, 0
	}
	p.winReplies++
	if p.winReplies == stormReplies+1 && (p.stormAt == 0 || env.TS-p.stormAt >= reportEvery || env.TS < p.stormAt) {
		p.stormAt = env.TS
		env.Weird(weirdReplyStorm, "more than 50 ARP replies within one second from "+macString(env.Flow.Orig.MAC))
	}
}

// log writes the arp.log record of a.
func (p *parser) log(a *packet, op string, grat bool) {
	env := p.env
	r := env.LogBare(logARP).Str("uid", env.Flow.UID)
	r.MAC("src_mac", env.Flow.Orig.MAC).MAC("dst_mac", env.Flow.Resp.MAC)
	if env.Flow.VLAN != 0 {
		r.Uint("vlan", uint64(env.Flow.VLAN))
	}
	r.Str("operation", op)
	r.Addr("orig_h", a.spa).MAC("orig_hw", a.sha)
	r.Addr("resp_h", a.tpa).MAC("resp_hw", a.tha)
	r.Bool("gratuitous", grat)
	r.Done()
}

// Gap is meaningless for frames.
func (p *parser) Gap(dir dissect.Dir, lost int) {}

// Close has nothing pending: every frame is logged when parsed.
func (p *parser) Close() {}

func macString(m [6]byte) string { return string(dissect.AppendMAC(make([]byte, 0, 17), m)) }

// Interface guards
var _ dissect.Parser = (*parser)(nil)
