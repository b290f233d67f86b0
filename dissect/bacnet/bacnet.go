package bacnet

// Constants and name tables of ANSI/ASHRAE Standard 135-2020 (BACnet). Names are spelled as
// ICSNPP's icsnpp-bacnet logs them (consts.zeek), so SIEM content built on those logs works
// unchanged. Every lookup returns a constant string: no allocation on the hot path.

// BVLC functions. Spec: 135-2020 Annex J.2 (BACnet/IP BVLL).
const (
	bvlcResult                = 0x00
	bvlcWriteBDT              = 0x01
	bvlcReadBDT               = 0x02
	bvlcReadBDTAck            = 0x03
	bvlcForwardedNPDU         = 0x04
	bvlcRegisterForeignDevice = 0x05
	bvlcReadFDT               = 0x06
	bvlcReadFDTAck            = 0x07
	bvlcDeleteFDTEntry        = 0x08
	bvlcDistributeBroadcast   = 0x09
	bvlcOriginalUnicast       = 0x0a
	bvlcOriginalBroadcast     = 0x0b
	bvlcSecureBVLL            = 0x0c

	bvlcTypeIP = 0x81 // BACnet/IP (Annex J); 0x82 is BACnet/IPv6 (Annex U), not parsed
)

var bvlcNames = [...]string{
	"BVLC_Result", "Write_Broadcast_Table", "Read_Broadcast_Table", "Read_Broadcast_Table_ACK",
	"Forwarded_NPDU", "Register_Foreign_Device", "Read_Foreign_Device_Table",
	"Read_Foreign_Device_Table_ACK", "Delete_Foreign_Device_Table_Entry",
	"Distribute_Broadcast_to_Network", "Original_Unicast_NPDU", "Original_Broadcast_NPDU",
}

// bvlcResultName names a BVLC-Result code (Annex J.2.1.1); "" when unknown.
func bvlcResultName(c uint16) string {
	switch c {
	case 0x00:
		return "Successful_completion"
	case 0x10:
		return "Write-Broadcast-Distribution-Table_NAK"
	case 0x20:
		return "Read-Broadcast-Distribution-Table_NAK"
	case 0x30:
		return "Register-Foreign-Device_NAK"
	case 0x40:
		return "Read-Foreign-Device-Table_NAK"
	case 0x50:
		return "Delete-Foreign-Device-Table-Entry_NAK"
	case 0x60:
		return "Distribute-Broadcast-To-Network_NAK"
	}
	return ""
}

// APDU types. Spec: 135-2020 clause 20.1.
const (
	pduConfirmed   = 0
	pduUnconfirmed = 1
	pduSimpleAck   = 2
	pduComplexAck  = 3
	pduSegmentAck  = 4
	pduError       = 5
	pduReject      = 6
	pduAbort       = 7
)

var apduTypeNames = [...]string{
	"CONFIRMED_REQUEST", "UNCONFIRMED_REQUEST", "SIMPLE_ACK", "COMPLEX_ACK", "SEGMENT_ACK",
	"ERROR_PDU", "REJECT_PDU", "ABORT_PDU",
}

// Confirmed services (BACnetConfirmedServiceChoice, clause 21).
const (
	svcAcknowledgeAlarm     = 0
	svcSubscribeCOV         = 5
	svcAtomicReadFile       = 6
	svcAtomicWriteFile      = 7
	svcAddListElement       = 8
	svcRemoveListElement    = 9
	svcCreateObject         = 10
	svcDeleteObject         = 11
	svcReadProperty         = 12
	svcReadPropertyMultiple = 14
	svcWriteProperty        = 15
	svcWritePropMultiple    = 16
	svcDeviceCommControl    = 17
	svcReinitializeDevice   = 20
)

var confirmedNames = [...]string{
	"acknowledge_alarm", "confirmed_cov_notification", "confirmed_event_notification",
	"get_alarm_summary", "get_enrollment_summary", "subscribe_cov", "atomic_read_file",
	"atomic_write_file", "add_list_element", "remove_list_element", "create_object",
	"delete_object", "read_property", "read_property_conditional", "read_property_multiple",
	"write_property", "write_property_multiple", "device_communication_control",
	"confirmed_private_transfer", "confirmed_text_message", "reinitialize_device", "vt_open",
	"vt_close", "vt_data", "authenticate", "request_key", "read_range", "life_safety_operation",
	"subscribe_cov_property", "get_event_information", "subscribe_cov_property_multiple",
	"confirmed_cov_notification_multiple", "confirmed_audit_notification", "audit_log_query",
}

// Unconfirmed services (BACnetUnconfirmedServiceChoice, clause 21).
const (
	usvcIAm      = 0
	usvcIHave    = 1
	usvcWhoHas   = 7
	usvcWhoIs    = 8
	usvcWriteGrp = 10
)

var unconfirmedNames = [...]string{
	"i_am", "i_have", "unconfirmed_cov_notification", "unconfirmed_event_notification",
	"unconfirmed_private_transfer", "unconfirmed_text_message", "time_synchronization",
	"who_has", "who_is", "utc_time_synchronization", "write_group",
	"unconfirmed_cov_notification_multiple", "unconfirmed_audit_notification", "who_am_i",
	"you_are",
}

// Network layer message types (clause 6.2.4).
var npduMessageNames = [...]string{
	"who_is_router_to_network", "i_am_router_to_network", "i_could_be_router_to_network",
	"reject_message_to_network", "router_busy_to_network", "router_available_to_network",
	"initialize_routing_table", "initialize_routing_table_ack",
	"establish_connection_to_network", "disconnect_connection_to_network", "challenge_request",
	"security_payload", "security_response", "request_key_update", "update_key_set",
	"update_distribution_key", "request_master_key", "set_master_key",
	"what_is_network_number", "network_number_is",
}

var rejectNames = [...]string{
	"other", "buffer-overflow", "inconsistent-parameters", "invalid-parameter-data-type",
	"invalid-tag", "missing-required-parameter", "parameter-out-of-range", "too-many-arguments",
	"undefined-enumeration", "unrecognized-service", "invalid-data-encoding",
}

var abortNames = [...]string{
	"other", "buffer-overflow", "invalid-apdu-in-this-state", "preempted-by-higher-priority-task",
	"segmentation-not-supported", "security-error", "insufficient-security", "window-size-out-of-range",
	"application-exceeded-reply-time", "out-of-resources", "tsm-timeout", "apdu-too-long",
}

// errorCodeNames is BACnetErrorCode (clause 21), 0..50 contiguous; later codes via errorCodeName.
var errorCodeNames = [...]string{
	"other", "authentication-failed", "configuration-in-progress", "device-busy",
	"dynamic-creation-not-supported", "file-access-denied", "incompatible-security-levels",
	"inconsistent-parameters", "inconsistent-selection-criterion", "invalid-data-type",
	"invalid-file-access-method", "invalid-file-start-position", "invalid-operator-name",
	"invalid-parameter-data-type", "invalid-time-stamp", "key-generation-error",
	"missing-required-parameter", "no-objects-of-specified-type", "no-space-for-object",
	"no-space-to-add-list-element", "no-space-to-write-property", "no-vt-sessions-available",
	"property-is-not-a-list", "object-deletion-not-permitted", "object-identifier-already-exists",
	"operational-problem", "password-failure", "read-access-denied", "security-not-supported",
	"service-request-denied", "timeout", "unknown-object", "unknown-property",
	"removed enumeration", "unknown-vt-class", "unknown-vt-session", "unsupported-object-type",
	"value-out-of-range", "vt-session-already-closed", "vt-session-termination-failure",
	"write-access-denied", "character-set-not-supported", "invalid-array-index",
	"cov-subscription-failed", "not-cov-property", "optional-functionality-not-supported",
	"invalid-configuration-data", "datatype-not-supported", "duplicate-name",
	"duplicate-object-id", "property-is-not-an-array",
}

var errorCodeNames2 = [...]string{ // 73..136
	"invalid-event-state", "no-alarm-configured", "log-buffer-full", "logged-value-purged",
	"no-property-specified", "not-configured-for-triggered-logging", "unknown-subscription",
	"parameter-out-of-range", "list-element-not-found", "busy", "communication-disabled",
	"success", "access-denied", "bad-destination-address", "bad-destination-device-id",
	"bad-signature", "bad-source-address", "bad-timestamp", "cannot-use-key",
	"cannot-verify-message-id", "correct-key-revision", "destination-device-id-required",
	"duplicate-message", "encryption-not-configured", "encryption-required", "incorrect-key",
	"invalid-key-data", "key-update-in-progress", "malformed-message", "not-key-server",
	"security-not-configured", "source-security-required", "too-many-keys",
	"unknown-authentication-type", "unknown-key", "unknown-key-revision",
	"unknown-source-message", "not-router-to-dnet", "router-busy", "unknown-network-message",
	"message-too-long", "security-error", "addressing-error", "write-bdt-failed",
	"read-bdt-failed", "register-foreign-device-failed", "read-fdt-failed",
	"delete-fdt-entry-failed", "distribute-broadcast-failed", "unknown-file-size",
	"abort-apdu-too-long", "abort-application-exceeded-reply-time", "abort-out-of-resources",
	"abort-tsm-timeout", "abort-window-size-out-of-range", "file-full",
	"inconsistent-configuration", "inconsistent-object-type", "internal-error", "not-configured",
	"out-of-memory", "value-too-long", "abort-insufficient-security", "abort-security-error",
}

func errorCodeName(c uint32) string {
	if c < uint32(len(errorCodeNames)) {
		return errorCodeNames[c]
	}
	if c >= 73 && c-73 < uint32(len(errorCodeNames2)) {
		return errorCodeNames2[c-73]
	}
	return ""
}

// Object types (BACnetObjectType, clause 21).
const objDevice = 8

var objectTypeNames = [...]string{
	"analog-input", "analog-output", "analog-value", "binary-input", "binary-output",
	"binary-value", "calendar", "command", "device", "event-enrollment", "file", "group", "loop",
	"multi-state-input", "multi-state-output", "notification-class", "program", "schedule",
	"averaging", "multi-state-value", "trend-log", "life-safety-point", "life-safety-zone",
	"accumulator", "pulse-converter", "event-log", "global-group", "trend-log-multiple",
	"load-control", "structured-view", "access-door", "timer", "access-credential",
	"access-point", "access-rights", "access-user", "access-zone", "credential-data-input",
	"network-security", "bitstring-value", "characterstring-value", "date-pattern-value",
	"date-value", "datetime-pattern-value", "datetime-value", "integer-value",
	"large-analog-value", "octetstring-value", "positive-integer-value", "time-pattern-value",
	"time-value", "notification-forwarder", "alert-enrollment", "channel", "lighting-output",
	"binary-lighting-output", "network-port", "elevator-group", "escalator", "lift",
	"staging", "audit-log", "audit-reporter", "color", "color-temperature",
}

// Property identifiers (BACnetPropertyIdentifier, clause 21) used by name in this package.
const (
	propAppSoftwareVersion = 12
	propFirmwareRevision   = 44
	propLocation           = 58
	propModelName          = 70
	propObjectIdentifier   = 75
	propObjectName         = 77
	propPresentValue       = 85
	propVendorIdentifier   = 120
	propVendorName         = 121
)

// propertyNames holds identifiers 0..351 (ICSNPP spellings); gaps are "".
var propertyNames = [...]string{
	"acked-transition", "ack-required", "action", "action-text", "active-text",
	"active-vt-session", "alarm-value", "alarm-values", "all", "all-write-successful",
	"apdu-segment-timeout", "apdu-timeout", "application-software-version", "archive", "bias",
	"change-of-state-count", "change-of-state-time", "notification-class",
	"the property in this place was deleted", "controlled-variable-reference",
	"controlled-variable-units", "controlled-variable-value", "cov-increment", "datelist",
	"daylights-savings-status", "deadband", "derivative-constant", "derivative-constant-units",
	"description", "description-of-halt", "device-address-binding", "device-type",
	"effective-period", "elapsed-active-time", "error-limit", "event-enable", "event-state",
	"event-type", "exception-schedule", "fault-values", "feedback-value", "file-access-method",
	"file-size", "file-type", "firmware-revision", "high-limit", "inactive-text", "in-progress",
	"instance-of", "integral-constant", "integral-constant-units",
	"issue-confirmed-notifications", "limit-enable", "list-of-group-members",
	"list-of-object-property-references", "list-of-session-keys", "local-date", "local-time",
	"location", "low-limit", "manipulated-variable-reference", "maximum-output",
	"max-apdu-length-accepted", "max-info-frames", "max-master", "max-pres-value",
	"minimum-off-time", "minimum-on-time", "minimum-output", "min-pres-value", "model-name",
	"modification-date", "notify-type", "number-of-APDU-retries", "number-of-states",
	"object-identifier", "object-list", "object-name", "object-property-reference",
	"object-type", "optional", "out-of-service", "output-units", "event-parameters", "polarity",
	"present-value", "priority", "priority-array", "priority-for-writing", "process-identifier",
	"program-change", "program-location", "program-state", "proportional-constant",
	"proportional-constant-units", "protocol-conformance-class",
	"protocol-object-types-supported", "protocol-services-supported", "protocol-version",
	"read-only", "reason-for-halt", "recipient", "recipient-list", "reliability",
	"relinquish-default", "required", "resolution", "segmentation-supported", "setpoint",
	"setpoint-reference", "state-text", "status-flags", "system-status", "time-delay",
	"time-of-active-time-reset", "time-of-state-count-reset", "time-synchronization-recipients",
	"units", "update-interval", "utc-offset", "vendor-identifier", "vendor-name",
	"vt-class-supported", "weekly-schedule", "attempted-samples", "average-value",
	"buffer-size", "client-cov-increment", "cov-resubscription-interval", "current-notify-time",
	"event-time-stamp", "log-buffer", "log-device-object-property", "enable", "log-interval",
	"maximum-value", "minimum-value", "notification-threshold", "previous-notify-time",
	"protocol-revision", "records-since-notification", "record-count", "start-time",
	"stop-time", "stop-when-full", "total-record-count", "valid-samples", "window-interval",
	"window-samples", "maximum-value-time-stamp", "minimum-value-time-stamp", "variance-value",
	"active-cov-subscriptions", "backup-failure-timeout", "configuration-files",
	"database-revision", "direct-reading", "last-restore-time", "maintenance-required",
	"member-of", "mode", "operation-expected", "setting", "silenced", "tracking-value",
	"zone-members", "life-safety-alarm-values", "max-segments-accepted", "profile-name",
	"auto-slave-discovery", "manual-slave-address-binding", "slave-address-binding",
	"slave-proxy-enable", "last-notify-record", "schedule-default", "accepted-modes",
	"adjust-value", "count", "count-before-change", "count-change-time", "cov-period",
	"input-reference", "limit-monitoring-interval", "logging-device", "logging-record",
	"prescale", "pulse-rate", "scale", "scale-factor", "update-time", "value-before-change",
	"value-set", "value-change-time", "align-intervals", "group-member-names",
	"interval-offset", "last-restart-reason", "logging-type", "member-status-flags",
	"notification-period", "previous-notify-record", "requested-update-interval",
	"restart-notification-recipients", "time-of-device-restart",
	"time-synchronization-interval", "trigger", "UTC-time-synchronization-recipients",
	"node-subtype", "node-type", "structured-object-list", "subordinate-annotations",
	"subordinate-list", "actual-shed-level", "duty-window", "expected-shed-level",
	"full-duty-baseline", "node-subtype", "node-type", "requested-shed-level", "shed-duration",
	"shed-level-descriptions", "shed-levels", "state-description", "", "", "",
	"door-alarm-state", "door-extended-pulse-time", "door-members", "door-open-too-long-time",
	"door-pulse-time", "door-status", "door-unlock-delay-time", "lock-status",
	"masked-alarm-values", "secured-status", "", "", "", "", "", "", "", "",
	"absentee-limit", "access-alarm-events", "access-doors", "access-event",
	"access-event-authentication-factor", "access-event-credential", "access-event-time",
	"access-transaction-events", "accompaniment", "accompaniment-time", "activation-time",
	"active-authentication-policy", "assigned-access-rights", "authentication-factors",
	"authentication-policy-list", "authentication-policy-names", "authentication-status",
	"authorization-mode", "belongs-to", "credential-disable", "credential-status",
	"credentials", "credentials-in-zone", "days-remaining", "entry-points", "exit-points",
	"expiry-time", "extended-time-enable", "failed-attempt-events", "failed-attempts",
	"failed-attempts-time", "last-access-event", "last-access-point", "last-credential-added",
	"last-credential-added-time", "last-credential-removed", "last-credential-removed-time",
	"last-use-time", "lockout", "lockout-relinquish-time", "master-exemption",
	"max-failed-attempts", "members", "muster-point", "negative-access-rules",
	"number-of-authentication-policies", "occupancy-count", "occupancy-count-adjust",
	"occupancy-count-enable", "occupancy-exemption", "occupancy-lower-limit",
	"occupancy-lower-limit-enforced", "occupancy-state", "occupancy-upper-limit",
	"occupancy-upper-limit-enforced", "passback-exemption", "passback-mode",
	"passback-timeout", "positive-access-rules", "reason-for-disable", "supported-formats",
	"supported-format-classes", "threat-authority", "threat-level", "trace-flag",
	"transaction-notification-class", "user-external-identifier", "user-information-reference",
	"", "", "", "", "", "user-name", "user-type", "uses-remaining", "zone-from", "zone-to",
	"access-event-tag", "global-identifier", "", "", "verification-time",
	"base-device-security-policy", "distribution-key-revision", "do-not-hide", "key-sets",
	"last-key-server", "network-access-security-policies", "packet-reorder-time",
	"security-pdu-timeout", "security-time-window", "supported-security-algorithms",
	"update-key-set-timeout", "backup-and-restore-state", "backup-preparation-time",
	"restore-completion-time", "restore-preparation-time", "bit-mask", "bit-text", "is-utc",
	"group-members", "group-member-names", "member-status-flags", "requested-update-interval",
	"covu-period", "covu-recipients", "event-message-texts",
}

// Enumerations rendered by name in property values (ICSNPP maps these property ids).
var eventStateNames = [...]string{"normal", "fault", "offnormal", "high-limit", "low-limit", "life-safety-alarm"}
var notifyTypeNames = [...]string{"alarm", "event", "ack-notification"}
var deviceStatusNames = [...]string{"operational", "operational-read-only", "download-required", "download-in-progress", "non-operational", "backup-in-progress"}
var segmentationNames = [...]string{"segmented-both", "segmented-transmit", "segmented-receive", "no-segmentation"}
var loggingTypeNames = [...]string{"polled", "cov", "triggered"}
var reliabilityNames = [...]string{
	"no-fault-detected", "no-sensor", "over-range", "under-range", "open-loop", "shorted-loop",
	"no-output", "unreliable-other", "process-error", "multi-state-fault", "configuration-error",
	"", "communication-failure", "member-fault", "monitored-object-fault", "tripped",
	"lamp-failure", "activation-failure", "renew-dhcp-failure", "renew-fd-registration-failure",
	"restart-auto-negotiation-failure", "restart-failure", "proprietary-command-failure",
	"faults-listed", "referenced-object-fault",
}

// ReinitializeDevice states (clause 16.4.1.1.1) and DeviceCommunicationControl
// enable-disable values (clause 16.1.1.1.2).
var reinitStateNames = [...]string{"coldstart", "warmstart", "startbackup", "endbackup", "startrestore", "endrestore", "abortrestore", "activate-changes"}
var dccStateNames = [...]string{"enable", "disable", "disable-initiation"}

// name returns t[i] or "" when i is out of range.
func name(t []string, i uint32) string {
	if i < uint32(len(t)) {
		return t[i]
	}
	return ""
}

// enumName maps an enumerated/unsigned property value to its name for the properties ICSNPP
// renders by name; ok is false when the property is not one of them.
func enumName(prop, v uint32) (string, bool) {
	switch prop {
	case 36:
		return name(eventStateNames[:], v), true
	case 72:
		return name(notifyTypeNames[:], v), true
	case 79:
		return name(objectTypeNames[:], v), true
	case 103:
		return name(reliabilityNames[:], v), true
	case 107:
		return name(segmentationNames[:], v), true
	case 112:
		return name(deviceStatusNames[:], v), true
	case 117:
		return unitName(v), true
	case 197:
		return name(loggingTypeNames[:], v), true
	}
	return "", false
}
