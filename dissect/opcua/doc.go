// Package opcua dissects OPC UA over TCP: the UA Connection Protocol (UACP), UA Secure
// Conversation (UASC) and the UA Binary encoding of the service messages.
//
// Specifications: OPC 10000-6 (UA Part 6, Mappings) v1.04 — §7.1 message header, HEL, ACK,
// ERR, RHE; §6.7 secure conversation (OPN/MSG/CLO, asymmetric and symmetric security
// headers, sequence header, chunks F/C/A); §5.2 binary encoding of the built-in types
// (String, NodeId, ExpandedNodeId, QualifiedName, LocalizedText, ExtensionObject, Variant,
// DataValue, DiagnosticInfo) — and OPC 10000-4 (UA Part 4, Services) v1.04 for the service
// parameters, RequestHeader/ResponseHeader and StatusCode layout.
//
// Scope:
//   - framing of each direction's stream into messages (chunks), with resynchronisation on
//     the next plausible header after a gap or an impossible header; chunks larger than the
//     engine's buffer are accumulated by the parser (up to 1 MiB, the rest skipped);
//   - reassembly of multi-chunk messages (bounded to 1024 chunks and 2 MiB), abort chunks;
//   - one opcua_binary.log row per message chunk (ICSNPP icsnpp-opcua-binary field names):
//     header, ERR/HEL/ACK fields, security header (policy URI and certificates for OPN,
//     token id for MSG/CLO), sequence header, service type id and name, request and
//     response header;
//   - service logs for OpenSecureChannel, GetEndpoints, CreateSession, ActivateSession,
//     CloseSession, Browse/BrowseNext, Read, Write, CreateSubscription and
//     CreateMonitoredItems, and opcua_binary_status_code_detail.log for the status codes of
//     response headers and Browse/Read/Write/CreateMonitoredItems/ActivateSession results;
//   - request/response pairing by request id (bounded to 512 pending requests per flow);
//   - facts (roles, server and client application URI, product URI, application name),
//     events (Write, Call, AddNodes/DeleteNodes/AddReferences/DeleteReferences,
//     HistoryUpdate, UserName logins, ERR messages) and named anomalies.
//
// Not parsed: encrypted bodies (SignAndEncrypt, and OPN with a policy other than None) are
// logged with what the headers show and "encrypted": true; signatures and padding of signed
// chunks are not verified or stripped (a signed multi-chunk message may decode partly);
// Variant values (read results, write values, call arguments) are skipped, not logged; the
// bodies of services other than those listed above (Publish, TranslateBrowsePaths, History*,
// Query*, ModifyMonitoredItems, …) are named but not decoded; the ICSNPP link logs for
// locale ids, discovery URLs, continuation points, diagnostic infos and variant data are
// not written; OPC UA over HTTPS/WebSockets and the UDP/MQTT PubSub mappings are out of
// scope.
package opcua
