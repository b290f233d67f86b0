// Package bacnet dissects BACnet/IP: BVLC over UDP (ports 47808-47823, 0xBAC0-0xBACF).
//
// Specification: ANSI/ASHRAE Standard 135-2020 — Annex J (BACnet/IP BVLL: BVLC functions,
// Forwarded-NPDU, BBMD and foreign-device functions), clause 6 (NPDU: version, control,
// DNET/DLEN/DADR, SNET/SLEN/SADR, hop count, network layer message types), clause 20 (APDU
// types, segmentation fields, tag encoding) and clauses 13-17 and 21 (service parameters,
// enumerations). Names and log layouts follow CISA's ICSNPP icsnpp-bacnet (bacnet.log,
// bacnet_discovery.log, bacnet_property.log, bacnet_device_control.log).
//
// Scope:
//   - every BVLC function (one bacnet.log row each; BVLC-Result with its result code;
//     Forwarded-NPDU with the originating B/IP address in fwd_ip/fwd_port);
//   - the NPDU header, with routing columns (snet/slen/sadr, dnet/dlen/dadr) on every record of
//     a routed message, and network layer messages by type (pdu_type "NPDU");
//   - the eight APDU types with invoke id, service choice, error code and reject/abort reason;
//   - segmented confirmed requests and complex ACKs, reassembled per direction up to 64 KiB and
//     logged once with their last segment (as ICSNPP does); out-of-order segments are reported;
//   - application and context tags (all 13 application datatypes rendered as ICSNPP renders
//     them, extended tag numbers and lengths, opening/closing tags);
//   - services: Who-Is, I-Am, Who-Has, I-Have (bacnet_discovery.log); ReadProperty,
//     ReadPropertyMultiple, WriteProperty, WritePropertyMultiple requests and ACKs and their
//     errors (bacnet_property.log); DeviceCommunicationControl and ReinitializeDevice with
//     their results (bacnet_device_control.log; passwords are never logged); AtomicReadFile and
//     AtomicWriteFile (events only);
//   - request/response pairing by requester and invoke id in a fixed 2×256 table;
//   - facts (I-Am device instance and vendor, device object identity properties, client and
//     server roles), events (writes, restarts, communication control, passwords, file
//     transfers, Who-Is scans) and named anomalies.
//
// Not parsed: BACnet/Ethernet (ISO 8802-2 LLC, DSAP 0x82: the engine has no LLC dispatch yet),
// BACnet/IPv6 (BVLC type 0x82), BACnet MS/TP and other data links, BACnet Secure Connect, the
// network security layer (Secure-BVLL and security NPDUs are logged by name, their content is
// opaque), the parameters of the other confirmed and unconfirmed services (logged in
// bacnet.log by name only), ReadRange items, COV and event notification contents, and
// proprietary network messages beyond their vendor id.
package bacnet
