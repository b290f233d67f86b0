// Package ssdp dissects SSDP (UPnP Device Architecture 2.0 §1) on UDP 1900: NOTIFY
// announcements, M-SEARCH requests and their HTTP 200 responses. It writes ssdp.log (our own
// log: Zeek has no SSDP analyzer) with the discovery headers, and reports the SERVER and
// USER-AGENT product tokens as software and OS facts.
//
// Not parsed: the device description XML behind LOCATION (an HTTP fetch, not SSDP), GENA
// eventing (NOTIFY over TCP), headers other than those logged.
package ssdp
