package smb

import (
	"math"
	"unicode/utf16"
	"unicode/utf8"
)

// Log names.
const (
	logMapping = "smb_mapping"
	logFiles   = "smb_files"
	logNTLM    = "ntlm"
	logDCERPC  = "dce_rpc"
)

// Anomaly names.
const (
	weirdNetbiosType    = "smb_invalid_netbios_type"      // NBSS message type outside RFC 1002's set
	weirdProtocol       = "smb_unknown_protocol_id"       // session message without \xffSMB/\xfeSMB/\xfdSMB
	weirdTruncated      = "smb_truncated_header"          // message shorter than its SMB header
	weirdBadNext        = "smb2_invalid_next_command"     // compound offset out of bounds
	weirdAndX           = "smb1_invalid_andx_offset"      // AndX chain going backwards or out of bounds
	weirdRequestFlood   = "smb_request_flood"             // pending-request table full
	weirdUnmatched      = "smb_unmatched_response"        // response whose request was never seen
	weirdTooManyFiles   = "smb_file_table_full"           // open-file table full, oldest evicted
	weirdRPCBadHeader   = "dce_rpc_invalid_header"        // DCE/RPC PDU with bad version or length
	weirdNTLMBad        = "ntlm_malformed_message"        // NTLMSSP message with out-of-bounds fields
	weirdSMB1           = "smb_v1_negotiated"             // the server accepted an SMB1 dialect
	weirdCleartextPwd   = "smb1_plaintext_password"       // SMB1 session setup/tree connect with a clear password
	weirdAnonymous      = "ntlm_anonymous_logon"          // NTLM authenticate without user name
	weirdNetbiosNegResp = "smb_netbios_negative_response" // NBSS negative session response
	// TRANS2_SESSION_SETUP is reserved ([MS-CIFS] 2.2.6.16): no client sends it, the
	// DoublePulsar implant's ping and payload requests do, and its answer (STATUS_NOT_IMPLEMENTED
	// with the multiplex id raised by 0x10) says the implant is there.
	weirdTrans2SessionSetup = "smb1_trans2_session_setup"
	weirdDoublePulsarReply  = "smb1_doublepulsar_reply"
	weirdEICAR              = "smb_eicar_test_file" // a file written from its start with the EICAR test file
	// A srvsvc NetprPathCanonicalize request whose path climbs with "\..\": the MS08-067
	// exploit's shape (Conficker's way in, Metasploit's ms08_067_netapi). Windows' own callers
	// canonicalize paths locally; over the network the call is rare and never needs "\..\".
	weirdPathCanonicalize = "dce_rpc_path_canonicalize_traversal"
)

// SMB2 commands. Spec: [MS-SMB2] 2.2.1.2.
var smb2Commands = [...]string{
	"NEGOTIATE", "SESSION_SETUP", "LOGOFF", "TREE_CONNECT", "TREE_DISCONNECT", "CREATE",
	"CLOSE", "FLUSH", "READ", "WRITE", "LOCK", "IOCTL", "CANCEL", "ECHO", "QUERY_DIRECTORY",
	"CHANGE_NOTIFY", "QUERY_INFO", "SET_INFO", "OPLOCK_BREAK",
}

const (
	smb2Negotiate      = 0x00
	smb2SessionSetup   = 0x01
	smb2Logoff         = 0x02
	smb2TreeConnect    = 0x03
	smb2TreeDisconnect = 0x04
	smb2Create         = 0x05
	smb2Close          = 0x06
	smb2Read           = 0x08
	smb2Write          = 0x09
	smb2Ioctl          = 0x0b
	smb2SetInfo        = 0x11
)

func smb2CommandName(c uint16) string {
	if int(c) < len(smb2Commands) {
		return smb2Commands[c]
	}
	return "UNKNOWN"
}

// SMB1 commands named for the topology counters. Spec: [MS-CIFS] 2.2.2.1.
func smb1CommandName(c uint8) string {
	switch c {
	case smb1Close:
		return "CLOSE"
	case smb1Delete:
		return "DELETE"
	case smb1Rename:
		return "RENAME"
	case smb1Transaction:
		return "TRANSACTION"
	case smb1Echo:
		return "ECHO"
	case smb1ReadAndX:
		return "READ_ANDX"
	case smb1WriteAndX:
		return "WRITE_ANDX"
	case smb1Transaction2:
		return "TRANSACTION2"
	case smb1TreeDisconnect:
		return "TREE_DISCONNECT"
	case smb1Negotiate:
		return "NEGOTIATE_PROTOCOL"
	case smb1SessionSetupAndX:
		return "SESSION_SETUP_ANDX"
	case smb1LogoffAndX:
		return "LOGOFF_ANDX"
	case smb1TreeConnectAndX:
		return "TREE_CONNECT_ANDX"
	case smb1NTTransact:
		return "NT_TRANSACT"
	case smb1NTCreateAndX:
		return "NT_CREATE_ANDX"
	}
	return "UNKNOWN"
}

const (
	smb1Close            = 0x04
	smb1Delete           = 0x06
	smb1Rename           = 0x07
	smb1Transaction      = 0x25
	smb1Echo             = 0x2b
	smb1ReadAndX         = 0x2e
	smb1WriteAndX        = 0x2f
	smb1Transaction2     = 0x32
	smb1TreeDisconnect   = 0x71
	smb1Negotiate        = 0x72
	smb1SessionSetupAndX = 0x73
	smb1LogoffAndX       = 0x74
	smb1TreeConnectAndX  = 0x75
	smb1NTTransact       = 0xa0
	smb1NTCreateAndX     = 0xa2
	smb1NoAndX           = 0xff
)

// NT status values this dissector acts on. Spec: [MS-ERREF] 2.3.1.
const (
	statusSuccess         = 0x00000000
	statusNotImplemented  = 0xc0000002
	statusPending         = 0x00000103
	statusMoreProcessing  = 0xc0000016
	statusLogonFailure    = 0xc000006d
	statusAccessDenied    = 0xc0000022
	statusFileIsDirectory = 0xc00000ba
)

// SMB2 dialect names ([MS-SMB2] 2.2.3), as the smb_dialect fact value.
func smb2DialectName(d uint16) string {
	switch d {
	case 0x0202:
		return "SMB 2.0.2"
	case 0x0210:
		return "SMB 2.1"
	case 0x0222:
		return "SMB 2.2.2"
	case 0x0224:
		return "SMB 2.2.4"
	case 0x0300:
		return "SMB 3.0"
	case 0x0302:
		return "SMB 3.0.2"
	case 0x0310:
		return "SMB 3.1"
	case 0x0311:
		return "SMB 3.1.1"
	case 0x02ff:
		return "SMB 2.???"
	}
	return ""
}

// Share types as Zeek spells them in smb_mapping.log ([MS-SMB2] 2.2.10 ShareType).
const (
	shareUnknown = iota // not seen: Zeek's default is DISK
	shareDisk
	sharePipe
	sharePrint
	shareComm
)

func shareTypeName(t uint8) string {
	switch t {
	case sharePipe:
		return "PIPE"
	case sharePrint:
		return "PRINT"
	case shareComm:
		return "COMM"
	}
	return "DISK"
}

// pipeNames are the file names opened on IPC$ that Zeek's heuristic takes as named pipes
// when the tree connect was not seen (SMB::pipe_filenames).
func isPipeName(name []byte) bool {
	switch string(name) {
	case "spoolss", "winreg", "samr", "srvsvc", "netdfs", "lsarpc", "wkssvc", "MsFteWds":
		return true
	}
	return false
}

// appendUTF16 appends UTF-16LE text b as UTF-8, stopping at a NUL. An odd trailing byte is
// ignored; unpaired surrogates become U+FFFD.
func appendUTF16(dst, b []byte) []byte {
	for i := 0; i+1 < len(b); i += 2 {
		r := rune(b[i]) | rune(b[i+1])<<8
		if r == 0 {
			break
		}
		if utf16.IsSurrogate(r) {
			if i+3 < len(b) {
				r2 := rune(b[i+2]) | rune(b[i+3])<<8
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					dst = utf8.AppendRune(dst, dec)
					i += 2
					continue
				}
			}
			r = utf8.RuneError
		}
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

// appendOEM appends an 8-bit string up to its NUL (bytes above 0x7f are kept as they are;
// the JSON writer replaces invalid UTF-8).
func appendOEM(dst, b []byte) []byte {
	for _, c := range b {
		if c == 0 {
			break
		}
		dst = append(dst, c)
	}
	return dst
}

// le16/le32/le64 read little-endian integers at off, returning 0 when out of bounds.
func le16(b []byte, off int) uint16 {
	if off < 0 || off+2 > len(b) {
		return 0
	}
	return uint16(b[off]) | uint16(b[off+1])<<8
}

func le32(b []byte, off int) uint32 {
	if off < 0 || off+4 > len(b) {
		return 0
	}
	return uint32(b[off]) | uint32(b[off+1])<<8 | uint32(b[off+2])<<16 | uint32(b[off+3])<<24
}

func le64(b []byte, off int) uint64 {
	return uint64(le32(b, off)) | uint64(le32(b, off+4))<<32
}

// slice returns b[off:off+n] or nil when that is out of bounds.
func slice(b []byte, off, n int) []byte {
	if off < 0 || n < 0 || off > len(b) || n > len(b)-off {
		return nil
	}
	return b[off : off+n]
}

// filetimeSec converts a Windows FILETIME (100 ns ticks since 1601) to seconds since the
// Unix epoch the way Zeek does (in double precision, from the 1601 epoch, so that values
// agree with Zeek's to the microsecond); ok is false for 0 and times before 1970 (Zeek
// leaves those out).
func filetimeSec(ft uint64) (float64, bool) {
	const epochDiff = 116444736000000000
	if ft <= epochDiff || ft > 1<<62 {
		return 0, false
	}
	secs := float64(ft)/1e7 - 11644473600.0
	// Round to the microsecond as Zeek prints times (%.6f); rounding the fraction alone
	// keeps the half-way decisions exact.
	whole := math.Floor(secs)
	return whole + math.Round((secs-whole)*1e6)/1e6, true
}
