package mms

// MMS PDU kinds: the alternatives of MMSpdu. Spec: ISO 9506-2:2003 §7 (MMSpdu ::= CHOICE).
const (
	pduConfirmedRequest  = 0
	pduConfirmedResponse = 1
	pduConfirmedError    = 2
	pduUnconfirmed       = 3
	pduReject            = 4
	pduCancelRequest     = 5
	pduCancelResponse    = 6
	pduCancelError       = 7
	pduInitiateRequest   = 8
	pduInitiateResponse  = 9
	pduInitiateError     = 10
	pduConcludeRequest   = 11
	pduConcludeResponse  = 12
	pduConcludeError     = 13
)

// pduNames are the mms.log spellings of the MMSpdu alternatives, indexed by tag number.
var pduNames = [...]string{
	"confirmed_request", "confirmed_response", "confirmed_error", "unconfirmed", "reject",
	"cancel_request", "cancel_response", "cancel_error", "initiate_request", "initiate_response",
	"initiate_error", "conclude_request", "conclude_response", "conclude_error",
}

// Confirmed services: the tags of ConfirmedServiceRequest / ConfirmedServiceResponse.
// Spec: ISO 9506-2:2003 §7.2 (ConfirmedServiceRequest ::= CHOICE, tags 0..77).
const (
	svcStatus                         = 0
	svcGetNameList                    = 1
	svcIdentify                       = 2
	svcRead                           = 4
	svcWrite                          = 5
	svcGetVariableAccessAttributes    = 6
	svcDefineNamedVariable            = 7
	svcDeleteVariableAccess           = 10
	svcDefineNamedVariableList        = 11
	svcGetNamedVariableListAttributes = 12
	svcDeleteNamedVariableList        = 13
	svcInitiateDownloadSequence       = 26
	svcDownloadSegment                = 27
	svcTerminateDownloadSequence      = 28
	svcInitiateUploadSequence         = 29
	svcUploadSegment                  = 30
	svcRequestDomainDownload          = 32
	svcRequestDomainUpload            = 33
	svcLoadDomainContent              = 34
	svcStoreDomainContent             = 35
	svcDeleteDomain                   = 36
	svcDeleteProgramInvocation        = 39
	svcStart                          = 40
	svcStop                           = 41
	svcResume                         = 42
	svcReset                          = 43
	svcKill                           = 44
	svcObtainFile                     = 46
	svcFileOpen                       = 72
	svcFileRead                       = 73
	svcFileClose                      = 74
	svcFileRename                     = 75
	svcFileDelete                     = 76
	svcFileDirectory                  = 77
)

// serviceNames are the ASN.1 identifiers of the confirmed services, indexed by tag; tags 3..
// not defined by the 2003 edition are "" (reported as unknown).
var serviceNames = [...]string{
	0: "status", 1: "getNameList", 2: "identify", 3: "rename", 4: "read", 5: "write",
	6: "getVariableAccessAttributes", 7: "defineNamedVariable", 8: "defineScatteredAccess",
	9: "getScatteredAccessAttributes", 10: "deleteVariableAccess", 11: "defineNamedVariableList",
	12: "getNamedVariableListAttributes", 13: "deleteNamedVariableList", 14: "defineNamedType",
	15: "getNamedTypeAttributes", 16: "deleteNamedType", 17: "input", 18: "output",
	19: "takeControl", 20: "relinquishControl", 21: "defineSemaphore", 22: "deleteSemaphore",
	23: "reportSemaphoreStatus", 24: "reportPoolSemaphoreStatus", 25: "reportSemaphoreEntryStatus",
	26: "initiateDownloadSequence", 27: "downloadSegment", 28: "terminateDownloadSequence",
	29: "initiateUploadSequence", 30: "uploadSegment", 31: "terminateUploadSequence",
	32: "requestDomainDownload", 33: "requestDomainUpload", 34: "loadDomainContent",
	35: "storeDomainContent", 36: "deleteDomain", 37: "getDomainAttributes",
	38: "createProgramInvocation", 39: "deleteProgramInvocation", 40: "start", 41: "stop",
	42: "resume", 43: "reset", 44: "kill", 45: "getProgramInvocationAttributes", 46: "obtainFile",
	47: "defineEventCondition", 48: "deleteEventCondition", 49: "getEventConditionAttributes",
	50: "reportEventConditionStatus", 51: "alterEventConditionMonitoring", 52: "triggerEvent",
	53: "defineEventAction", 54: "deleteEventAction", 55: "getEventActionAttributes",
	56: "reportEventActionStatus", 57: "defineEventEnrollment", 58: "deleteEventEnrollment",
	59: "alterEventEnrollment", 60: "reportEventEnrollmentStatus", 61: "getEventEnrollmentAttributes",
	62: "acknowledgeEventNotification", 63: "getAlarmSummary", 64: "getAlarmEnrollmentSummary",
	65: "readJournal", 66: "writeJournal", 67: "initializeJournal", 68: "reportJournalStatus",
	69: "createJournal", 70: "deleteJournal", 71: "getCapabilityList", 72: "fileOpen",
	73: "fileRead", 74: "fileClose", 75: "fileRename", 76: "fileDelete", 77: "fileDirectory",
}

// serviceName returns the name of confirmed service tag, or "" when undefined.
func serviceName(tag uint32) string {
	if tag < uint32(len(serviceNames)) {
		return serviceNames[tag]
	}
	return ""
}

// unconfirmedNames are the UnconfirmedService alternatives. Spec: ISO 9506-2 §7.3.
var unconfirmedNames = [...]string{"informationReport", "unsolicitedStatus", "eventNotification"}

// objectClassNames are the basicObjectClass values of GetNameList. Spec: ISO 9506-2 §10.5.
var objectClassNames = [...]string{
	"namedVariable", "scatteredAccess", "namedVariableList", "namedType", "semaphore",
	"eventCondition", "eventAction", "eventEnrollment", "journal", "domain", "programInvocation",
	"operatorStation", "dataExchange", "accessControlList",
}

// classDomain is the basicObjectClass of domains (IEC 61850 logical devices).
const classDomain = 9

// errorClassNames are the ServiceError errorClass alternatives. Spec: ISO 9506-2 §7.4.
var errorClassNames = [...]string{
	"vmd-state", "application-reference", "definition", "resource", "service",
	"service-preempt", "time-resolution", "access", "initiate", "conclude", "cancel", "file",
	"others",
}

// dataAccessErrors are the DataAccessError values of Read/Write results. Spec: ISO 9506-2
// §14.4.3.
var dataAccessErrors = [...]string{
	"object-invalidated", "hardware-fault", "temporarily-unavailable", "object-access-denied",
	"object-undefined", "invalid-address", "type-unsupported", "type-inconsistent",
	"object-attribute-inconsistent", "object-access-unsupported", "object-non-existent",
	"object-value-invalid",
}

// rejectClassNames are the RejectPDU rejectReason alternatives (tags 1..11). Spec: ISO 9506-2
// §7.6.
var rejectClassNames = [...]string{
	1: "confirmed-requestPDU", 2: "confirmed-responsePDU", 3: "confirmed-errorPDU",
	4: "unconfirmedPDU", 5: "pdu-error", 6: "cancel-requestPDU", 7: "cancel-responsePDU",
	8: "cancel-errorPDU", 9: "conclude-requestPDU", 10: "conclude-responsePDU",
	11: "conclude-errorPDU",
}

// name returns tbl[i] or fallback when i is out of range or unnamed.
func name(tbl []string, i uint64, fallback string) string {
	if i < uint64(len(tbl)) && tbl[i] != "" {
		return tbl[i]
	}
	return fallback
}

// Session SPDU identifiers. Spec: ITU-T X.225 / ISO 8327-1 §8.3 (table 6).
const (
	spduDataTransfer = 0x01 // DT, also GIVE TOKENS (category 0) with the same code
	spduPleaseTokens = 0x02
	spduNotFinished  = 0x08
	spduFinish       = 0x09
	spduDisconnect   = 0x0a
	spduRefuse       = 0x0c
	spduConnect      = 0x0d
	spduAccept       = 0x0e
	spduAbort        = 0x19
	spduAbortAccept  = 0x1a
)

// Session parameter codes carrying SS-user data. Spec: X.225 §8.3.
const (
	spUserData         = 0xc1
	spExtendedUserData = 0xc2
)

// Abstract syntax object identifiers (content octets) of the presentation contexts.
var (
	oidACSE = "\x52\x01\x00\x01"     // 2.2.1.0.1 acse-as-id (X.227)
	oidMMS  = "\x28\xca\x22\x02\x01" // 1.0.9506.2.1 mms-abstract-syntax-version1
)
