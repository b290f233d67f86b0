package ads

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:      "ads",
		Transport: dissect.TCP | dissect.UDP,
		Ports:     []uint16{PortTCP, PortUDP},
		PortOnly:  true, // TwinCAT routers listen on fixed ports; keeps the probe off other flows
		Probe:     Probe,
		New:       newParser,
		Logs:      []string{logADS, "weird"},
	})
}

// Probe accepts an AMS/TCP header whose AMS header agrees with it (reserved 0, AMS data length
// = AMS/TCP length - 32, a defined command, the ADS-command flag), a UDP router-service frame
// (magic 0x71146603), or a bare AMS header filling a datagram exactly.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if len(b) >= 4 && le32(b) == udpMagic {
		return dissect.Match
	}
	if validAMS(b) {
		return dissect.Match
	}
	if len(b) >= 2 && le16(b) != 0 {
		return dissect.NoMatch
	}
	if len(b) < amsTCPLen+amsLen {
		return dissect.NeedMore
	}
	h, ok := validTCP(b)
	if !ok || isRouterCmd(h.reserved) {
		return dissect.NoMatch
	}
	return dissect.Match
}
