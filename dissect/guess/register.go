package guess

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:      "guess",
		Transport: dissect.TCP | dissect.UDP,
		Ports:     hintPorts,
		PortOnly:  true, // the port is the only evidence: never offered other flows
		Probe:     Probe,
		New:       newParser,
		Logs:      []string{logGuess},
	})
}
