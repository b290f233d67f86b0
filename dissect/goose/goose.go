package goose

// Spec: IEC 61850-8-1 Ed.2 Annex A (GOOSE APDU) and §8.1.3.7 (UtcTime).

// EtherType is the GOOSE Ethertype.
const EtherType = 0x88B8

// headerLen is the GOOSE link header: APPID(2) Length(2) Reserved1(2) Reserved2(2).
const headerLen = 8

// Context tags of the goosePdu SEQUENCE (IEC 61850-8-1 Annex A, IECGoosePdu).
const (
	tagGoosePdu   = 0x61 // [APPLICATION 1] IMPLICIT SEQUENCE
	tagGocbRef    = 0x80 // VisibleString
	tagTTL        = 0x81 // timeAllowedtoLive INTEGER (ms)
	tagDatSet     = 0x82 // VisibleString
	tagGoID       = 0x83 // VisibleString OPTIONAL
	tagT          = 0x84 // UtcTime (8 octets)
	tagStNum      = 0x85 // INTEGER
	tagSqNum      = 0x86 // INTEGER
	tagSimulation = 0x87 // BOOLEAN ("test" in Ed.1)
	tagConfRev    = 0x88 // INTEGER
	tagNdsCom     = 0x89 // BOOLEAN
	tagNumEntries = 0x8A // numDatSetEntries INTEGER
	tagAllData    = 0xAB // [11] IMPLICIT SEQUENCE OF Data
	tagSecurity   = 0x8C // OCTET STRING OPTIONAL
)

// Presence bits of the goosePdu fields.
const (
	hasGocbRef uint16 = 1 << iota
	hasTTL
	hasDatSet
	hasGoID
	hasT
	hasStNum
	hasSqNum
	hasSimulation
	hasConfRev
	hasNdsCom
	hasNumEntries
	hasAllData
	hasSecurity
)

// required are the goosePdu fields that are not OPTIONAL (allData is reported apart, as
// ICSNPP's missing_all_data). t is mandatory in the ASN.1 but ICSNPP leaves it unset rather
// than flag it; we do the same.
const required = hasTTL | hasDatSet | hasStNum | hasSqNum | hasSimulation | hasConfRev | hasNdsCom | hasNumEntries

// parse_status / parse_error values (ICSNPP goose.log).
const (
	statusOK      = "ok"
	statusPartial = "partial"
	statusFailed  = "failed"

	errNone            = "none"
	errMalformed       = "malformed_asn1"
	errMissingRequired = "missing_required_field"
	errMissingAllData  = "missing_all_data"
)

// Limits.
const (
	maxNesting = 8  // allData structure/array depth checked
	maxStreams = 32 // (APPID, gocbRef) streams tracked per publisher→destination pseudo-flow
)

// Anomaly names (weird.log).
const (
	weirdTruncated       = "goose_truncated"
	weirdBadLength       = "goose_invalid_length"
	weirdMalformed       = "goose_malformed_asn1"
	weirdMissingField    = "goose_missing_required_field"
	weirdStRegression    = "goose_st_num_regression"
	weirdStJump          = "goose_st_num_jump"
	weirdSqReset         = "goose_sq_num_reset"
	weirdSimulation      = "goose_simulation"
	weirdSimulateBit     = "goose_simulate_bit"
	weirdTTLZero         = "goose_ttl_zero"
	weirdNdsCom          = "goose_nds_com"
	weirdAllDataBad      = "goose_all_data_malformed"
	weirdEntriesMismatch = "goose_num_entries_mismatch"
	weirdStreamsFull     = "goose_stream_table_full"
)
