package opcua

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:      "opcua",
		Transport: dissect.TCP,
		Ports:     []uint16{4840},
		Probe:     Probe,
		New:       newParser,
		Logs: []string{logMain, logOpenSecureChannel, logGetEndpoints, logGetEndpointsDesc,
			logGetEndpointsToken, logCreateSession, logCreateSessionEP, logCreateSessionToken,
			logActivateSession, logCloseSession, logBrowse, logBrowseDesc, logBrowseResult,
			logBrowseRefs, logRead, logReadNodes, logReadResults, logWrite, logCreateSubscription,
			logCreateMonitoredItems, logCreateItem, logStatusCode, "weird"},
	})
}
