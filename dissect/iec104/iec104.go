package iec104

// Spec: IEC 60870-5-104:2006 §5 (APCI), IEC 60870-5-101:2003 §7 (ASDU), IEC 60870-5-7 (secure
// authentication type ids and causes 14–16).

// APCI framing constants. Spec: IEC 60870-5-104 §5.
const (
	startByte  = 0x68 // START character of every APDU
	apciLen    = 6    // START, length, four control octets
	minAPDULen = 4    // length field: the four control octets
	maxAPDULen = 253  // length field maximum (APDU ≤ 255 octets)
	asduHdrLen = 6    // type id, VSQ, COT (2 octets), common address (2 octets): the 104 defaults
	ioaLen     = 3    // information object address, 3 octets in 104
	seqMod     = 1 << 15
)

// Limits.
const (
	maxObjects     = 127 // VSQ number field is 7 bits: the walk can never exceed it
	maxLoggedIOAs  = 64  // ioas array cap in iec104.log
	maxPendingCmds = 32  // pending activations awaiting ACTCON per flow
	maxStationCAs  = 8   // distinct common addresses reported as facts per flow
)

// U-format functions: octet 1 of the control field. Spec: IEC 60870-5-104 §5.3.
const (
	uStartDTAct = 0x07
	uStartDTCon = 0x0b
	uStopDTAct  = 0x13
	uStopDTCon  = 0x23
	uTestFRAct  = 0x43
	uTestFRCon  = 0x83
)

// uFunctionName returns the U-format function of control octet c, or "" for an invalid one
// (none or several function bits set).
func uFunctionName(c byte) string {
	switch c {
	case uStartDTAct:
		return "STARTDT_ACT"
	case uStartDTCon:
		return "STARTDT_CON"
	case uStopDTAct:
		return "STOPDT_ACT"
	case uStopDTCon:
		return "STOPDT_CON"
	case uTestFRAct:
		return "TESTFR_ACT"
	case uTestFRCon:
		return "TESTFR_CON"
	}
	return ""
}

// Type identifications used by the command/event logic. Spec: IEC 60870-5-101 §7.2.1.1.
const (
	tC_SC_NA_1 = 45
	tC_DC_NA_1 = 46
	tC_RC_NA_1 = 47
	tC_SE_NA_1 = 48
	tC_SE_NB_1 = 49
	tC_SE_NC_1 = 50
	tC_BO_NA_1 = 51
	tC_SC_TA_1 = 58
	tC_DC_TA_1 = 59
	tC_RC_TA_1 = 60
	tC_SE_TA_1 = 61
	tC_SE_TB_1 = 62
	tC_SE_TC_1 = 63
	tC_BO_TA_1 = 64
	tM_EI_NA_1 = 70
	tC_IC_NA_1 = 100
	tC_CI_NA_1 = 101
	tC_RD_NA_1 = 102
	tC_CS_NA_1 = 103
	tC_TS_NA_1 = 104
	tC_RP_NA_1 = 105
	tC_CD_NA_1 = 106
	tC_TS_TA_1 = 107
	tP_ME_NA_1 = 110
	tP_ME_NB_1 = 111
	tP_ME_NC_1 = 112
	tP_AC_NA_1 = 113
	tF_SG_NA_1 = 125
)

// Element sizes that are not a fixed number of octets.
const (
	sizeVariable = -1 // F_SG_NA_1: NOF, NOS, LOS, then LOS octets of segment
	sizeOpaque   = -2 // IEC 60870-5-7 security ASDUs: structure not walked
)

// typeInfo describes one type identification: its name and the size in octets of one
// information element set (everything after the IOA).
type typeInfo struct {
	name string
	size int8
}

// types is indexed by type identification; a zero name means undefined. Spec: IEC 60870-5-101
// §7.3 (element compositions), IEC 60870-5-104 §8 (which types 104 uses), IEC 60870-5-7 §8.
// CP24Time2a types (2–19) are not used in 104 but are still decoded: devices send them.
var types = [256]typeInfo{
	1:   {"M_SP_NA_1", 1},  // SIQ
	2:   {"M_SP_TA_1", 4},  // SIQ + CP24Time2a
	3:   {"M_DP_NA_1", 1},  // DIQ
	4:   {"M_DP_TA_1", 4},  // DIQ + CP24Time2a
	5:   {"M_ST_NA_1", 2},  // VTI + QDS
	6:   {"M_ST_TA_1", 5},  // VTI + QDS + CP24Time2a
	7:   {"M_BO_NA_1", 5},  // BSI + QDS
	8:   {"M_BO_TA_1", 8},  // BSI + QDS + CP24Time2a
	9:   {"M_ME_NA_1", 3},  // NVA + QDS
	10:  {"M_ME_TA_1", 6},  // NVA + QDS + CP24Time2a
	11:  {"M_ME_NB_1", 3},  // SVA + QDS
	12:  {"M_ME_TB_1", 6},  // SVA + QDS + CP24Time2a
	13:  {"M_ME_NC_1", 5},  // IEEE STD 754 + QDS
	14:  {"M_ME_TC_1", 8},  // IEEE STD 754 + QDS + CP24Time2a
	15:  {"M_IT_NA_1", 5},  // BCR
	16:  {"M_IT_TA_1", 8},  // BCR + CP24Time2a
	17:  {"M_EP_TA_1", 6},  // SEP + CP16Time2a + CP24Time2a
	18:  {"M_EP_TB_1", 7},  // SPE + QDP + CP16Time2a + CP24Time2a
	19:  {"M_EP_TC_1", 7},  // OCI + QDP + CP16Time2a + CP24Time2a
	20:  {"M_PS_NA_1", 5},  // SCD + QDS
	21:  {"M_ME_ND_1", 2},  // NVA
	30:  {"M_SP_TB_1", 8},  // SIQ + CP56Time2a
	31:  {"M_DP_TB_1", 8},  // DIQ + CP56Time2a
	32:  {"M_ST_TB_1", 9},  // VTI + QDS + CP56Time2a
	33:  {"M_BO_TB_1", 12}, // BSI + QDS + CP56Time2a
	34:  {"M_ME_TD_1", 10}, // NVA + QDS + CP56Time2a
	35:  {"M_ME_TE_1", 10}, // SVA + QDS + CP56Time2a
	36:  {"M_ME_TF_1", 12}, // IEEE STD 754 + QDS + CP56Time2a
	37:  {"M_IT_TB_1", 12}, // BCR + CP56Time2a
	38:  {"M_EP_TD_1", 10}, // SEP + CP16Time2a + CP56Time2a
	39:  {"M_EP_TE_1", 11}, // SPE + QDP + CP16Time2a + CP56Time2a
	40:  {"M_EP_TF_1", 11}, // OCI + QDP + CP16Time2a + CP56Time2a
	41:  {"S_IT_TC_1", 13}, // IEC 60870-5-7: BCR + security statistics + CP56Time2a
	45:  {"C_SC_NA_1", 1},  // SCO
	46:  {"C_DC_NA_1", 1},  // DCO
	47:  {"C_RC_NA_1", 1},  // RCO
	48:  {"C_SE_NA_1", 3},  // NVA + QOS
	49:  {"C_SE_NB_1", 3},  // SVA + QOS
	50:  {"C_SE_NC_1", 5},  // IEEE STD 754 + QOS
	51:  {"C_BO_NA_1", 4},  // BSI
	58:  {"C_SC_TA_1", 8},  // SCO + CP56Time2a
	59:  {"C_DC_TA_1", 8},  // DCO + CP56Time2a
	60:  {"C_RC_TA_1", 8},  // RCO + CP56Time2a
	61:  {"C_SE_TA_1", 10}, // NVA + QOS + CP56Time2a
	62:  {"C_SE_TB_1", 10}, // SVA + QOS + CP56Time2a
	63:  {"C_SE_TC_1", 12}, // IEEE STD 754 + QOS + CP56Time2a
	64:  {"C_BO_TA_1", 11}, // BSI + CP56Time2a
	70:  {"M_EI_NA_1", 1},  // COI
	81:  {"S_CH_NA_1", sizeOpaque},
	82:  {"S_RP_NA_1", sizeOpaque},
	83:  {"S_AR_NA_1", sizeOpaque},
	84:  {"S_KR_NA_1", sizeOpaque},
	85:  {"S_KS_NA_1", sizeOpaque},
	86:  {"S_KC_NA_1", sizeOpaque},
	87:  {"S_ER_NA_1", sizeOpaque},
	88:  {"S_UC_NA_1", sizeOpaque},
	90:  {"S_US_NA_1", sizeOpaque},
	91:  {"S_UQ_NA_1", sizeOpaque},
	92:  {"S_UR_NA_1", sizeOpaque},
	93:  {"S_UK_NA_1", sizeOpaque},
	94:  {"S_UA_NA_1", sizeOpaque},
	95:  {"S_UF_NA_1", sizeOpaque},
	100: {"C_IC_NA_1", 1}, // QOI
	101: {"C_CI_NA_1", 1}, // QCC
	102: {"C_RD_NA_1", 0}, // no element
	103: {"C_CS_NA_1", 7}, // CP56Time2a
	104: {"C_TS_NA_1", 2}, // FBP (101 only)
	105: {"C_RP_NA_1", 1}, // QRP
	106: {"C_CD_NA_1", 2}, // CP16Time2a (101 only)
	107: {"C_TS_TA_1", 9}, // TSC + CP56Time2a
	110: {"P_ME_NA_1", 3}, // NVA + QPM
	111: {"P_ME_NB_1", 3}, // SVA + QPM
	112: {"P_ME_NC_1", 5}, // IEEE STD 754 + QPM
	113: {"P_AC_NA_1", 1}, // QPA
	120: {"F_FR_NA_1", 6}, // NOF + LOF + FRQ
	121: {"F_SR_NA_1", 7}, // NOF + NOS + LOS + SRQ
	122: {"F_SC_NA_1", 4}, // NOF + NOS + SCQ
	123: {"F_LS_NA_1", 5}, // NOF + NOS + LSQ + CHS
	124: {"F_AF_NA_1", 4}, // NOF + NOS + AFQ
	125: {"F_SG_NA_1", sizeVariable},
	126: {"F_DR_TA_1", 13}, // NOF + LOF + SOF + CP56Time2a
	127: {"F_SC_NB_1", 16}, // NOF + CP56Time2a + CP56Time2a
}

// Causes of transmission. Spec: IEC 60870-5-101 §7.2.3, IEC 60870-5-7 (14–16).
const (
	cotReq      = 5
	cotAct      = 6
	cotActCon   = 7
	cotDeact    = 8
	cotDeactCon = 9
	cotActTerm  = 10
	cotUnkType  = 44
	cotUnkIOA   = 47
)

var cotNames = [64]string{
	1:  "PER_CYC",
	2:  "BACK",
	3:  "SPONT",
	4:  "INIT",
	5:  "REQ",
	6:  "ACT",
	7:  "ACTCON",
	8:  "DEACT",
	9:  "DEACTCON",
	10: "ACTTERM",
	11: "RETREM",
	12: "RETLOC",
	13: "FILE",
	14: "AUTH",
	15: "SESKEY",
	16: "USRKEY",
	20: "INROGEN",
	21: "INRO1", 22: "INRO2", 23: "INRO3", 24: "INRO4", 25: "INRO5", 26: "INRO6", 27: "INRO7",
	28: "INRO8", 29: "INRO9", 30: "INRO10", 31: "INRO11", 32: "INRO12", 33: "INRO13",
	34: "INRO14", 35: "INRO15", 36: "INRO16",
	37: "REQCOGEN",
	38: "REQCO1", 39: "REQCO2", 40: "REQCO3", 41: "REQCO4",
	44: "UNKNOWN_TYPE_ID",
	45: "UNKNOWN_COT",
	46: "UNKNOWN_COMMON_ADDRESS",
	47: "UNKNOWN_IOA",
}

// isCommandType reports the type ids logged in iec104_commands.log: process commands,
// system commands and parameters in control direction. Spec: IEC 60870-5-101 §7.3.2–7.3.5.
func isCommandType(t uint8) bool {
	switch {
	case t >= tC_SC_NA_1 && t <= tC_BO_NA_1, t >= tC_SC_TA_1 && t <= tC_BO_TA_1:
		return true
	case t >= tC_IC_NA_1 && t <= tC_TS_TA_1, t >= tP_ME_NA_1 && t <= tP_AC_NA_1:
		return true
	}
	return false
}

// isMonitorType reports type ids only a controlled station sends (monitor direction).
func isMonitorType(t uint8) bool {
	return (t >= 1 && t <= 41) || t == tM_EI_NA_1
}

// Command state names. Spec: IEC 60870-5-101 §7.2.6.15–7.2.6.17 (SCO, DCO, RCO).
var (
	scsNames = [2]string{"OFF", "ON"}
	dcsNames = [4]string{"NOT_PERMITTED_0", "OFF", "ON", "NOT_PERMITTED_3"}
	rcsNames = [4]string{"NOT_PERMITTED_0", "LOWER", "HIGHER", "NOT_PERMITTED_3"}
)
