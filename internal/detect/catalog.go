package detect

// Engine is one of Defender for IoT's five alert engines.
type Engine string

const (
	Policy      Engine = "Policy violation"
	Protocol    Engine = "Protocol violation"
	Anomaly     Engine = "Anomaly"
	Malware     Engine = "Malware"
	Operational Engine = "Operational"
)

// Severity of an alert.
type Severity string

const (
	Critical Severity = "Critical"
	Major    Severity = "Major"
	Minor    Severity = "Minor"
	Warning  Severity = "Warning"
)

// Rule is one alert title. Titles follow Defender for IoT's catalogue where it has one (so
// analysts who know it find the same words); ours are marked in the README. Technique ids are
// MITRE ATT&CK for ICS, checked against the ATT&CK technique list by TestCatalogTechniques;
// they are Defender's, except where TechniqueNotes says why not (TestTechniquesFollowDefender).
type Rule struct {
	ID          string
	Title       string
	Engine      Engine
	Severity    Severity
	Category    string
	Techniques  []string
	Remediation string
	// Threshold and Window (seconds) for rate-based rules.
	Threshold int
	Window    int64
	// Ours marks titles that are not in Defender's catalogue.
	Ours bool
}

// TechniqueNotes gives, by rule id, why a rule with one of Defender's titles carries other
// ATT&CK for ICS ids than Defender's table: the technique Defender names does not describe
// what the rule sees, or one is missing.
var TechniqueNotes = map[string]string{
	"port_scan":        "a scan is Remote System Discovery (T0846); Defender's T0842 Network Sniffing is passive capture on the attacker's side",
	"address_scan":     "a scan is Remote System Discovery (T0846), not Network Sniffing (Defender's T0842)",
	"plc_scan":         "identification requests to many controllers are Remote System Discovery and Remote System Information Discovery (T0846, T0888), not Network Sniffing (Defender's T0842)",
	"arp_scan":         "ARP requests to a range discover hosts (T0846, beside Defender's T0830); Defender's T0842 Network Sniffing is passive",
	"eicar":            "a test file moved between hosts is Lateral Tool Transfer (T0867); Defender's T0842 Network Sniffing has nothing to do with it",
	"exe_transfer":     "an executable written to another host over SMB is Lateral Tool Transfer (T0867), not a Rootkit (Defender's T0851)",
	"psexec":           "PsExec copies its service program to the target before it executes (T0867 beside Defender's T0866)",
	"remote_svc":       "services are managed through SMB and DCE/RPC, Remote Services (T0886 beside Defender's T0822)",
	"plc_upload":       "an upload reads the program (T0845); it changes no firmware, so Defender's T0839 Module Firmware is dropped",
	"controller_stop":  "a stop command downloads nothing: Defender's T0843 Program Download is dropped (T0814, T0858 kept)",
	"protocol_version": "an unknown protocol version is a changed parameter (T0836); Defender's T0820 Exploitation for Evasion claims an exploit the packet does not show",
	"enip_failed":      "failed encapsulation commands come from probing a device's identity and services (T0888); Defender's T0801 Monitor Process State needs process data, which a failed command does not carry",
}

func r(id, title string, e Engine, s Severity, cat string, tech []string, rem string) *Rule {
	return &Rule{ID: id, Title: title, Engine: e, Severity: s, Category: cat, Techniques: tech, Remediation: rem}
}

func (x *Rule) rate(n int, windowS int64) *Rule { x.Threshold, x.Window = n, windowS; return x }
func (x *Rule) ours() *Rule                     { x.Ours = true; return x }

const (
	remReview      = "Review the devices involved. If this is authorized, learn the alert so the baseline accepts it; otherwise isolate the source and investigate."
	remProgramming = "Confirm with the control engineer that this programming change was planned (change ticket, maintenance window). If not, treat the engineering station as compromised, compare the controller's program with the last known-good version and restore it."
	remRemote      = "Remote access into OT should pass through the approved jump host. Identify the user, confirm the session was authorized, and block direct access at the OT/IT boundary."
	remScan        = "Find the scanning host and its owner. Scans are a common first step of an attack; if not a sanctioned assessment, isolate the host."
	remMalformed   = "Malformed industrial traffic can crash field devices. Check the sender's software and firmware; if it is not a known engineering tool, isolate it."
	remOperational = "Check with operations whether this was expected (maintenance, commissioning). Verify the device's state locally."
	remLateral     = "A host created, changed or started services on another over SMB, or copied a program or script to it: what tools like PsExec do, and what attackers do to move from one host to the next. Confirm with the host's owner that an administrator did this from an approved workstation; if not, isolate both hosts and collect the copied file (its name is in the alert)."
	remIOC         = "The peer matches an indicator of compromise. Isolate the internal host, collect its logs and follow the incident response plan."
)

// Catalog lists every rule the detectors raise.
var Catalog = []*Rule{
	// Policy violation: deviations from the learned baseline (only after learning).
	r("new_asset", "New Asset Detected", Policy, Major, "New devices", []string{"T0842"}, "A device not seen during learning appeared. Confirm it is an authorized addition and approve it, or locate and remove it."),
	r("new_connection", "New Communication Channel Detected", Policy, Minor, "New connections", []string{"T0886"}, remReview).ours(),
	r("new_port", "New Port Discovery", Policy, Minor, "New ports", []string{"T0867"}, remReview),
	r("new_protocol", "Unauthorized Protocol on a Connection", Policy, Major, "New protocols", []string{"T0869"}, remReview).ours(),
	r("modbus_fc", "Unpermitted Usage of Modbus Function Code", Policy, Major, "Unauthorized commands", []string{"T0836"}, remReview),
	r("dnp3_fc", "Unpermitted Usage of DNP3 Function Code", Policy, Major, "Unauthorized commands", []string{"T0836"}, remReview),
	r("iec104_asdu", "Unpermitted Usage of ASDU Types", Policy, Major, "Unauthorized commands", []string{"T0855"}, remReview),
	r("cip_service", "New Activity Detected – CIP Class Service", Policy, Major, "Unauthorized commands", []string{"T0836"}, remReview),
	r("s7_function", "Unauthorized Siemens S7 Execution of Control Function", Policy, Major, "Unauthorized commands", []string{"T0855", "T0809"}, remReview),
	r("mms_service", "Unauthorized MMS Service", Policy, Major, "Unauthorized commands", []string{"T0855", "T0821"}, remReview),
	r("opcua_service", "Unauthorized OPC UA Activity", Policy, Minor, "Unauthorized commands", []string{"T0836"}, remReview),
	r("bacnet_service", "Unauthorized BACNet Object Access", Policy, Major, "Unauthorized commands", []string{"T0855", "T0821"}, remReview),
	r("plc_programming", "Unauthorized PLC Programming", Policy, Critical, "Programming", []string{"T0839", "T0889", "T0843"}, remProgramming),
	r("plc_upload", "Unauthorized PLC Program Upload", Policy, Major, "Programming", []string{"T0845"}, remProgramming),
	r("plc_config_write", "Unauthorized PLC Configuration Write", Policy, Major, "Programming", []string{"T0839", "T0831", "T0889"}, remProgramming),
	r("ssh", "Unauthorized SSH Access", Policy, Major, "Remote access", []string{"T0886", "T0869"}, remRemote),
	r("rdp", "Unauthorized RDP Access", Policy, Major, "Remote access", []string{"T0886", "T0822"}, remRemote).ours(),
	r("vnc", "Unauthorized VNC Access", Policy, Major, "Remote access", []string{"T0886", "T0822"}, remRemote).ours(),
	r("remote_tool", "Unauthorized Remote Access Tool (TeamViewer/AnyDesk)", Policy, Critical, "Remote access", []string{"T0822"}, remRemote).ours(),
	r("internet", "Internet Access Detected", Policy, Major, "Internet access", []string{"T0883"}, "OT devices should not reach the internet. Find the path (firewall rule, dual-homed host) and close it."),
	r("firmware_changed", "Firmware Version Changed", Policy, Major, "Firmware change", []string{"T0857"}, "Confirm the firmware update was planned and the image came from the vendor. If not, treat the device as compromised."),
	r("new_lldp", "New LLDP Device Configuration", Policy, Minor, "New devices", []string{"T0842"}, "A network device announced a configuration not seen before. Check the switch change log."),
	r("snmp", "Unauthorized SNMP Operation", Policy, Minor, "IT protocols", []string{"T0842", "T0885"}, remReview),
	r("http", "Unauthorized HTTP Activity", Policy, Minor, "IT protocols", []string{"T0822", "T0869"}, remReview),
	r("database", "Unauthorized Database Operation", Policy, Major, "IT protocols", []string{"T0855", "T0811"}, remReview),
	r("smb_login", "Unauthorized SMB Login", Policy, Major, "Authentication", []string{"T0886", "T0859"}, remReview),
	r("ftp_login_failed", "FTP Login Failed", Policy, Minor, "Authentication", []string{"T0812", "T0869"}, remReview),
	r("cleartext_login", "Clear-Text Credentials Used", Operational, Minor, "Authentication", []string{"T0859"}, "Credentials crossed the network in clear and can be captured. Move the service to an encrypted protocol and rotate the password.").ours(),

	// Protocol violation: traffic that breaks the protocol's rules.
	r("reserved_fc", "Usage of a Reserved Function Code", Protocol, Major, "Illegal commands", []string{"T0836"}, remMalformed),
	r("modbus_fc_zero", "Illegal MODBUS Operation (Function Code Zero)", Protocol, Major, "Illegal commands", []string{"T0866"}, remMalformed),
	r("modbus_exc_master", "Illegal MODBUS Operation (Exception Raised by Master)", Protocol, Major, "Illegal commands", []string{"T0866"}, remMalformed),
	r("modbus_exception", "Modbus Exception", Protocol, Minor, "Illegal commands", []string{"T0814"}, "The device answered with an exception: the request was wrong for it. Check the master's configuration."),
	r("modbus_malformed", "Illegal MODBUS Operation (Malformed PDU)", Protocol, Major, "Malformed packets", []string{"T0866"}, remMalformed).ours(),
	r("dnp3_illegal", "Illegal DNP3 Operation", Protocol, Major, "Malformed packets", []string{"T0866"}, remMalformed),
	r("dnp3_unknown_object", "Unknown Object Sent to Outstation", Protocol, Major, "Illegal commands", []string{"T0855"}, remMalformed),
	r("dnp3_obsolete_init", "Initiation of an Obsolete Function Code (Initialize Data)", Protocol, Minor, "Illegal commands", []string{"T0855"}, remMalformed),
	r("dnp3_obsolete_save", "Initiation of an Obsolete Function Code (Save Config)", Protocol, Minor, "Illegal commands", []string{"T0855"}, remMalformed),
	r("iec104_asdu_illegal", "Slave Device Received Illegal ASDU Type", Protocol, Major, "Illegal commands", []string{"T0836"}, remMalformed),
	r("iec104_ca", "Slave Device Received Illegal Common Address", Protocol, Major, "Illegal commands", []string{"T0855", "T0836"}, remMalformed),
	r("iec104_malformed", "Illegal IEC 104 Operation", Protocol, Major, "Malformed packets", []string{"T0866"}, remMalformed).ours(),
	r("bacnet_illegal", "Illegal BACNet message", Protocol, Major, "Malformed packets", []string{"T0855", "T0836"}, remMalformed),
	r("enip_illegal", "Illegal EtherNet/IP Message", Protocol, Major, "Malformed packets", []string{"T0866"}, remMalformed).ours(),
	r("s7_illegal", "Illegal S7 Message", Protocol, Major, "Malformed packets", []string{"T0866"}, remMalformed).ours(),
	r("goose_illegal", "Illegal GOOSE Message", Protocol, Major, "Malformed packets", []string{"T0866"}, remMalformed).ours(),
	r("protocol_version", "Illegal Protocol Version", Protocol, Minor, "Malformed packets", []string{"T0836"}, remMalformed),
	r("port0", "Illegal Connection Attempt on Port 0", Protocol, Major, "Malformed packets", []string{"T0855", "T0836"}, remMalformed),
	r("malformed_session", "Excessive Malformed Packets In a Single Session", Protocol, Major, "Malformed packets", []string{"T0806"}, remMalformed).rate(2, 600),
	r("firmware_update", "Firmware Update", Protocol, Major, "Firmware change", []string{"T0857"}, "A firmware transfer was seen. Confirm it was planned."),

	// Anomaly: unusual behaviour measured against thresholds.
	r("port_scan", "Port Scan Detected", Anomaly, Critical, "Scan", []string{"T0846"}, remScan).rate(25, 120),
	r("address_scan", "Address Scan Detected", Anomaly, Critical, "Scan", []string{"T0846"}, remScan).rate(50, 120),
	r("plc_scan", "PLC Scan Detected", Anomaly, Critical, "Scan", []string{"T0846", "T0888"}, remScan).rate(10, 120),
	r("modbus_unit_scan", "Modbus Unit Scan Detected", Anomaly, Major, "Scan", []string{"T0846"}, remScan).rate(10, 120).ours(),
	r("arp_scan", "ARP Address Scan Detected", Anomaly, Major, "Scan", []string{"T0846", "T0830"}, remScan).rate(40, 360),
	r("arp_spoofing", "ARP Spoofing", Anomaly, Critical, "Man in the middle", []string{"T0830"}, "A host claimed an IP already bound to another MAC. Check for an adversary-in-the-middle; pin ARP entries for controllers."),
	r("excessive_logins", "Excessive Login Attempts", Anomaly, Major, "Authentication", []string{"T0812", "T0806"}, remReview).rate(20, 60),
	r("password_guessing", "Password Guessing Attempt Detected", Anomaly, Critical, "Authentication", []string{"T0812", "T0806"}, remReview).rate(10, 60),
	r("excessive_sessions", "Excessive Number of Sessions", Anomaly, Major, "Sessions", []string{"T0812", "T0806"}, remReview).rate(50, 60),
	r("exception_pattern", "Abnormal Exception Pattern in Slave", Anomaly, Major, "Illegal commands", []string{"T0806"}, remMalformed).rate(20, 3600),
	r("icmp_flood", "ICMP Flooding", Anomaly, Warning, "Flooding", []string{"T0842", "T0830"}, remScan).rate(60, 60),
	r("dos", "Suspicion of Denial Of Service Attack", Anomaly, Critical, "Flooding", []string{"T0814"}, remScan).rate(3000, 60),
	r("restart_rate", "Excessive Restart Rate of an Outstation", Anomaly, Major, "Restarts", []string{"T0814", "T0806"}, remOperational).rate(10, 3600),
	r("periodicity", "Abnormal Periodic Behavior In Communication Channel", Anomaly, Minor, "Periodicity", []string{"T0842"}, "A polling cycle changed its period. Check the master's configuration and whether another host injects traffic."),
	r("write_storm", "Excessive Write Rate to a Controller", Anomaly, Major, "Unauthorized commands", []string{"T0806", "T0855"}, remReview).rate(100, 60).ours(),
	r("smb_logins", "Excessive SMB login attempts", Anomaly, Major, "Authentication", []string{"T0812", "T0853", "T0859"}, remReview).rate(10, 600),

	// Malware: indicators and behaviours of known tools.
	r("ioc_ip", "Connection Attempt to Known Malicious IP", Malware, Critical, "Indicators of compromise", []string{"T0883", "T0884"}, remIOC),
	r("ioc_domain", "Malicious Domain Name Request", Malware, Critical, "Indicators of compromise", []string{"T0883", "T0884"}, remIOC),
	// Lateral movement over SMB, from the SMB dissector's DCE/RPC operations and file writes.
	// Defender lists T0822 (External Remote Services) for service management and T0851 (Rootkit)
	// for the executable; an executable copied to a host is Lateral Tool Transfer (T0867) and
	// managing its services remotely is Remote Services (T0886), kept beside Defender's ids.
	r("doublepulsar", "Invalid SMB Message (DoublePulsar Backdoor Implant)", Malware, Critical, "Known malware behaviour", []string{"T0866"}, "The SMB1 exchange is DoublePulsar's, the NSA implant spread by EternalBlue and WannaCry. Isolate the responder (it may carry the implant) and the sender, patch MS17-010 and turn SMB1 off."),
	// Defender lists T0842 (Network Sniffing) for EICAR; the test file going to a host is a
	// (harmless) Lateral Tool Transfer.
	r("conficker", "Suspicion of Conficker Malware", Malware, Critical, "Known malware behaviour", []string{"T0826", "T0828", "T0847"}, "The sender called NetprPathCanonicalize on the target's Server service with a path that climbs out of its root: the MS08-067 exploit, Conficker's way from host to host. Isolate the sender, check the target for a new service or scheduled task, apply MS08-067 to every Windows host of the segment and block TCP 139/445 between hosts that have no reason to share files."),
	r("name_queries", "Suspicion of Malicious Activity (Name Queries)", Malware, Major, "Known malware behaviour", []string{"T0884"}, "The host asked within a minute for many names that do not exist: what malware with a domain generation algorithm does (Conficker, Necurs and others) to find its command server among thousands of candidate names. Check the host for malware and find out which of the names it asked for did resolve, and to what.").rate(25, 60),
	r("eicar", "Malware Test File Detected – EICAR AV Success", Malware, Minor, "Known malware behaviour", []string{"T0867"}, "The EICAR file is the anti-virus test file, harmless by design. Confirm that someone was testing anti-virus or this sensor; if nobody was, find out who sent it and why."),
	r("wannacry", "Suspicion of Malicious Activity (WannaCry)", Malware, Critical, "Known malware behaviour", []string{"T0866", "T0867"}, "The host looked up one of WannaCry's kill-switch domains, which only WannaCry does. Isolate it, check every host it reached over SMB (DoublePulsar alerts), apply MS17-010 and turn SMB1 off."),
	r("remote_svc", "Suspicion of Remote Windows Service Management", Malware, Major, "Lateral movement", []string{"T0822", "T0886"}, remLateral),
	r("psexec", "Suspicion of Remote Code Execution with PsExec", Malware, Critical, "Lateral movement", []string{"T0866", "T0867"}, remLateral),
	r("exe_transfer", "Suspicious Executable File Detected on Endpoint", Malware, Major, "Lateral movement", []string{"T0867"}, remLateral),
	r("industroyer", "Suspicion of Malicious Activity (Industroyer)", Malware, Critical, "Known malware behaviour", []string{"T0855", "T0806"}, "An IEC 104 master swept many information objects with commands, as Industroyer's IEC 104 payload does. Stop the master's traffic at the station firewall and verify switchgear states.").rate(20, 60).ours(),
	r("triton", "Suspicion of Malicious Activity (TRITON)", Malware, Critical, "Known malware behaviour", []string{"T0843", "T0821"}, "TriStation traffic reached a safety controller. Only the SIS engineering station should speak it; put the controller's key switch in RUN and investigate the source.").ours(),

	// Operational: events engineers need to know about.
	r("s7_stop", "An S7 Stop PLC Command was Sent", Operational, Major, "PLC state", []string{"T0843", "T0858", "T0814"}, remOperational),
	r("controller_stop", "Controller Stop", Operational, Major, "PLC state", []string{"T0858", "T0814"}, remOperational),
	r("controller_start", "Controller Start", Operational, Minor, "PLC state", []string{"T0858"}, remOperational).ours(),
	r("controller_reset", "Controller Reset", Operational, Major, "PLC state", []string{"T0858", "T0814"}, remOperational),
	r("outstation_cold", "Outstation Restarted (cold restart)", Operational, Major, "Restarts", []string{"T0816"}, remOperational),
	r("outstation_warm", "Outstation Restarted (warm restart)", Operational, Minor, "Restarts", []string{"T0816"}, remOperational).ours(),
	r("outstation_frequent", "Outstation Restarts Frequently", Operational, Major, "Restarts", []string{"T0814", "T0816"}, remOperational).rate(2, 600),
	r("event_overflow", "Event Buffer Overflow in Outstation", Operational, Major, "Device state", []string{"T0814", "T0839"}, remOperational),
	r("config_corrupt", "Outstation's Corrupted Configuration Detected", Operational, Major, "Device state", []string{"T0809"}, remOperational),
	r("mode_changed", "PLC Operating Mode Changed", Operational, Major, "PLC state", []string{"T0858"}, remOperational),
	r("config_change", "Change of Device Configuration", Operational, Minor, "Configuration", []string{"T0836"}, remOperational),
	r("cip_failed", "EtherNet/IP CIP Service Request Failed", Operational, Warning, "Command failures", []string{"T0855"}, remOperational),
	r("enip_failed", "EtherNet/IP Encapsulation Protocol Command Failed", Operational, Warning, "Command failures", []string{"T0888"}, remOperational),
	r("opcua_failed", "OPC UA Service Request Failed", Operational, Warning, "Command failures", []string{"T0855"}, remOperational),
	r("pndcp_failed", "Profinet DCP Command Failed", Operational, Warning, "Command failures", []string{"T0855"}, remOperational),
	r("pn_factory_reset", "Profinet Device Factory Reset", Operational, Critical, "Device state", []string{"T0858", "T0814"}, remOperational),
	r("goose_dataset", "GOOSE Dataset Configuration was Changed", Operational, Minor, "Configuration", []string{"T0836"}, remOperational),
	r("sv_dataset", "Sampled Values Message Dataset Configuration was Changed", Operational, Minor, "Configuration", []string{"T0836"}, remOperational),
	r("goose_state", "GOOSE State Problem", Operational, Major, "Device state", []string{"T0830", "T0856"}, "GOOSE sequence numbers went backwards or jumped, or the simulation flag is set: a replay, an injection or a misconfigured IED.").ours(),
	r("unresponsive", "Device is Suspected to be Disconnected (Unresponsive)", Operational, Major, "Device state", []string{"T0881"}, remOperational).rate(8, 300),
	r("illegal_ip", "Illegal IP Address", Operational, Major, "Addressing", []string{"T0842", "T0836"}, "The same IP address is used by two MAC addresses on one segment: a misconfiguration or spoofing."),
	r("snmp_community", "Default SNMP Community in Use", Operational, Minor, "Authentication", []string{"T0812"}, "Devices answer SNMP with a default community string. Change it or move to SNMPv3.").ours(),
	r("opcua_insecure", "OPC UA Without Security", Operational, Minor, "Configuration", []string{"T0869"}, "The OPC UA channel uses security mode None: messages are neither signed nor encrypted. Enable Sign&Encrypt on the server.").ours(),
}

var byID = func() map[string]*Rule {
	m := map[string]*Rule{}
	for _, x := range Catalog {
		if m[x.ID] != nil {
			panic("detect: duplicate rule id " + x.ID)
		}
		m[x.ID] = x
	}
	return m
}()

// RuleByID returns the rule with that id, or nil.
func RuleByID(id string) *Rule { return byID[id] }
