// Package mms dissects ISO 9506 MMS (Manufacturing Message Specification) as IEC 61850-8-1
// and IEC 60870-6 TASE.2/ICCP use it: TPKT (RFC 1006) → COTP class 0 (ISO 8073) → ISO session
// (X.225) → ISO presentation (X.226, BER) → ACSE (X.227) → MMS PDU (ISO 9506-2, BER), on TCP
// port 102.
//
// Specifications: ISO 9506-2:2003 (MMS protocol, ASN.1 module ISO-9506-MMS-1), ITU-T X.225 /
// ISO 8327-1 (session SPDUs), X.226 / ISO 8823-1 (presentation CP-type, CPA-PPDU,
// fully-encoded-data), X.227 / ISO 8650-1 (AARQ, AARE, RLRQ, RLRE, ABRT), X.690 (BER),
// IEC 61850-8-1 (report RptID). TPKT/COTP framing and TSDU reassembly come from the s7comm
// package.
//
// Scope:
//   - TPKT framing with resynchronisation after gaps or impossible headers, COTP DT
//     reassembly into TSDUs (capped at MaxTSDU);
//   - session CONNECT, ACCEPT and GIVE TOKENS + DATA TRANSFER SPDUs; the presentation context
//     list of the CP-type (which context is ACSE, which is MMS); fully encoded user data;
//   - ACSE AARQ/AARE (association result, the MMS PDU in user-information, the presence of
//     a calling-authentication-value) and RLRQ/RLRE (recognised, not logged);
//   - every MMSpdu alternative: confirmed request/response/error, unconfirmed, reject,
//     cancel, initiate and conclude, with the confirmed service named from the full service
//     table (tags 0–77); object names of read, write, getVariableAccessAttributes,
//     defineNamedVariableList, getNamedVariableListAttributes, deleteNamedVariableList and
//     deleteVariableAccess; GetNameList class, scope and returned identifiers; identify
//     results; read/write access results; file names of the file services; program
//     invocation names; domain names of the download/upload/domain services; the RptID of
//     IEC 61850 reports;
//   - request/response pairing by invoke id per requesting side (both peers may issue
//     requests, as ICCP peers do), bounded to MaxPending;
//   - flows picked up mid-association (no CONNECT seen): data PDUs are told apart by their
//     tag class (ACSE is APPLICATION, MMS is context-specific);
//   - MMS PDUs carried directly in COTP DT without session/presentation (some test tools and
//     embedded stacks), as Wireshark's COTP heuristic accepts them.
//
// Not parsed: the Data values of read/write/report results (only their success/failure),
// type descriptions (getVariableAccessAttributes responses), alternate access, journal and
// event-management service parameters, file contents, the presentation context negotiation
// result list, session segmentation (SPDUs split over several TSDUs) and expedited data,
// COTP classes 1–4 features, MMS over other transports (TP4/CLNP, ROSE).
package mms
