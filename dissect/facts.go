package dissect

// Fact attributes. Inventory knows these names; dissectors use them rather than inventing
// their own so that "firmware" from S7 and from CIP land in the same attribute.
const (
	AttrVendor      = "vendor"       // manufacturer name ("Siemens", "Rockwell Automation/Allen-Bradley")
	AttrVendorID    = "vendor_id"    // protocol vendor number (CIP, BACnet), as decimal
	AttrModel       = "model"        // product / model name
	AttrProductCode = "product_code" // vendor's product code
	AttrOrderNumber = "order_number" // Siemens MLFB and the like
	AttrFirmware    = "firmware"     // firmware / software revision
	AttrHardware    = "hardware"     // hardware revision
	AttrSerial      = "serial"       // serial number
	AttrName        = "name"         // device or module name given by the operator
	AttrHostname    = "hostname"
	AttrDeviceType  = "device_type" // protocol-declared type ("Programmable Logic Controller")
	AttrRole        = "role"        // protocol role: "modbus_server", "dnp3_outstation", "s7_client"…
	AttrPLCMode     = "plc_mode"    // run, stop, program, …
	AttrKeySwitch   = "key_switch"
	AttrRackSlot    = "rack_slot"
	AttrOS          = "os"
	AttrStationAddr = "station_address" // DNP3 link address, IEC 104 common address, Modbus unit…
	AttrPlant       = "plant"           // plant / automation system identifier
	AttrMAC         = "mac"
	AttrIP          = "ip"
	AttrSoftware    = "software" // client/server software strings (banners, user agents)
	AttrDomain      = "domain"   // Windows / NetBIOS domain
	AttrDialect     = "smb_dialect"
)

// Operational event kinds. Detection maps them to alerts; the Detail carries the specifics.
const (
	EvWrite           = "write"            // a write of process values or configuration
	EvConfigWrite     = "config_write"     // write of device configuration/parameters
	EvPLCStop         = "plc_stop"         // CPU/application stop
	EvPLCStart        = "plc_start"        // CPU/application start (hot/cold/warm restart included)
	EvRestart         = "restart"          // device restart (cold/warm/reset)
	EvProgramDownload = "program_download" // program/block download to the controller
	EvProgramUpload   = "program_upload"   // program/block upload from the controller
	EvProgramDelete   = "program_delete"   // block or program deleted
	EvModeChange      = "mode_change"      // controller operating mode changed (observed)
	EvPassword        = "password"         // password / authentication attempt
	EvCommand         = "command"          // control command (select/operate, C_SC…)
	EvInterrogation   = "interrogation"    // general/counter interrogation
	EvTimeSync        = "time_sync"        // clock synchronisation
	EvFileTransfer    = "file_transfer"    // file read/write/delete
	EvFirmwareUpdate  = "firmware_update"  // firmware transfer or update service
	EvDiagnostic      = "diagnostic"       // diagnostic services (Modbus FC 8, …)
	EvScan            = "scan"             // identity/discovery requests (FC 43, ListIdentity…)
	EvDeviceFlag      = "device_flag"      // device-reported condition (DNP3 IIN restart, …)
	EvException       = "exception"        // protocol exception / error response
	EvLogin           = "login"            // login in clear (FTP, Telnet, …)
	EvNameQuery       = "name_query"       // a DNS-family query; Detail is the name (not written to events.log)
	EvNameError       = "name_error"       // a DNS answer that the queried name does not exist (NXDOMAIN); Detail is the name (not written to events.log)
)
