// Package guess labels flows on the registered or well-known ports of OT protocols that
// Quietwire does not parse (CODESYS, GE EGD, EtherCAT over UDP, FL-net, TriStation, ROC Plus,
// R-GOOSE/R-SV, LonWorks/IP, Niagara Fox, FANUC FOCAS, Open Protocol, SuiteLink, ABB RNRP,
// Yokogawa FA-M3 and the TLS-secured ICS ports), so that the inventory lists them.
//
// The table is ports.csv (port range, transport, protocol, source of the entry), generated
// into ports_gen.go by gen.go (`go generate`).
//
// Scope: a PortOnly factory. Its probe matches the first payload of a flow on a table port
// unless the bytes are TLS, SSH or HTTP or another content-probing dissector claims them. The
// parser decodes nothing: it names the flow "guess:<protocol>" in conn.log's service (through
// Env.Service), states the server's role once ("<protocol>_server", about the side owning the
// port) and writes one guess.log record per flow when it ends.
//
// Not parsed: every payload byte. A guess is a port coincidence until a real dissector exists;
// guess.log says so with confidence "port". Protocols without a published port (Foxboro,
// Honeywell Experion, Yokogawa Vnet/IP and CENTUM, Emerson DeltaV and Ovation, OPC DA/DCOM
// endpoints, Bristol BSAP) are not in the table.
package guess
