package sv

// Spec: IEC 61850-9-2 Ed.2 §8.5.2 (savPdu ASN.1) and Annex (ISO/IEC 8802-3 frame format).

// EtherType is the Sampled Values Ethertype.
const EtherType = 0x88BA

const headerLen = 8 // APPID(2) Length(2) Reserved1(2) Reserved2(2)

// savPdu and ASDU tags.
const (
	tagSavPdu  = 0x60 // [APPLICATION 0] IMPLICIT SEQUENCE
	tagNoASDU  = 0x80 // INTEGER
	tagSec     = 0x81 // security ANY OPTIONAL
	tagSeqASDU = 0xA2 // [2] IMPLICIT SEQUENCE OF ASDU
	tagASDU    = 0x30 // SEQUENCE

	tagSvID     = 0x80 // VisibleString
	tagDatSet   = 0x81 // VisibleString OPTIONAL
	tagSmpCnt   = 0x82 // OCTET STRING (SIZE(2)), INT16U
	tagConfRev  = 0x83 // OCTET STRING (SIZE(4)), INT32U
	tagRefrTm   = 0x84 // UtcTime OPTIONAL
	tagSmpSynch = 0x85 // OCTET STRING (SIZE(1))
	tagSmpRate  = 0x86 // OCTET STRING (SIZE(2)) OPTIONAL
	tagSeqData  = 0x87 // OCTET STRING
	tagSmpMod   = 0x88 // OCTET STRING (SIZE(2)) OPTIONAL
)

// smpSynch values (IEC 61850-9-2 Ed.2 §8.5.2 Table 14).
var synchNames = [...]string{0: "NONE", 1: "LOCAL", 2: "GLOBAL"}

func synchName(v uint8) string {
	if int(v) < len(synchNames) {
		return synchNames[v]
	}
	return "GRANDMASTER" // 5..254: synchronised by the grandmaster clock with this identity
}

// Limits.
const (
	maxASDU       = 16            // ASDUs decoded per frame (9-2LE uses 1 or 8)
	maxStreams    = 32            // (APPID, svID) streams per MAC pair
	summaryPeriod = int64(60e9)   // ns of packet time between summaries
	smpCntWrap    = uint32(65536) // smpCnt is INT16U
)

// Anomaly names.
const (
	weirdTruncated   = "sv_truncated"
	weirdMalformed   = "sv_malformed"
	weirdASDUCount   = "sv_asdu_count_mismatch"
	weirdSmpCntJump  = "sv_smp_cnt_jump"
	weirdSmpCntBack  = "sv_smp_cnt_regression"
	weirdNotSynch    = "sv_not_synchronized"
	weirdSimulation  = "sv_simulation"
	weirdStreamsFull = "sv_stream_table_full"
)
