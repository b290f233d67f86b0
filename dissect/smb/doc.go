// Package smb dissects SMB over the NetBIOS session service (TCP 139) and direct TCP (445),
// and DCE/RPC both over SMB named pipes and directly over TCP (135 and dynamic ports).
//
// Specifications: RFC 1002 4.3 (NetBIOS session service), [MS-CIFS] and [MS-SMB] (SMB1),
// [MS-SMB2] (SMB 2.0.2 to 3.1.1), [MS-FSCC] (set-info classes), [MS-NLMP] (NTLMSSP),
// RFC 4178 (SPNEGO), RFC 4120/4121 (Kerberos AP-REQ framing), C706 and [MS-RPCE]
// (connection-oriented DCE/RPC).
//
// Scope:
//   - NBSS framing with resynchronisation on the next SMB header after a gap or an
//     impossible message; messages over 32 KiB are parsed from their first 4 KiB and the
//     rest is skipped, so bulk READ/WRITE data is never buffered;
//   - SMB1 (with AndX chains) and SMB2/3 (with compound chains): negotiate (dialect fact),
//     session setup (NTLMSSP negotiate/challenge/authenticate, SPNEGO result, Kerberos
//     AP-REQ service principal, SMB1 NativeOS/NativeLanMan), tree connect/disconnect,
//     create, read, write, close, set-info rename/delete, SMB1 delete/rename, pipe
//     transactions (SMB2 IOCTL FSCTL_PIPE_TRANSCEIVE, SMB1 TransactNmPipe, pipe read/write);
//   - DCE/RPC bind/alter_context/bind_ack/request/response over pipes and TCP, with
//     interface and operation names from the embedded table rpc_interfaces.txt;
//   - logs: Zeek's smb_mapping.log, smb_files.log, ntlm.log and dce_rpc.log;
//   - facts (roles, dialect, host and domain names, OS and software strings), events
//     (file transfers, risky RPC operations) and named anomalies.
//
// Not parsed: SMB3 encrypted (transform header) and compressed payloads, SMB1 Transaction2
// and NT_TRANSACT sub-commands, the content of files, DCE/RPC stub data (NDR) and
// fragment reassembly beyond the first fragment of a request, NTLMv1/v2 response values,
// Kerberos tickets beyond the service principal and realm, NetBIOS name service/datagrams.
package smb
