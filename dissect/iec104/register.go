package iec104

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:      "iec104",
		Transport: dissect.TCP,
		Ports:     []uint16{2404},
		Probe:     probe,
		New:       newParser,
		Logs:      []string{"iec104", "iec104_commands", "weird"},
	})
}

// probe matches a direction whose first octets are a plausible APDU: START 0x68, a legal length,
// a control field consistent with its format and, for an I-frame, a defined type id and cause.
func probe(dir dissect.Dir, b []byte) dissect.Verdict {
	return plausible(b)
}
