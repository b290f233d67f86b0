package opcua

// Message types of the OPC UA Connection Protocol and Secure Conversation.
// Spec: OPC 10000-6 (UA Part 6) v1.04, §7.1.2 (HEL/ACK/ERR/RHE) and §6.7.2 (OPN/MSG/CLO).
const (
	mtHEL uint32 = 'H' | 'E'<<8 | 'L'<<16
	mtACK uint32 = 'A' | 'C'<<8 | 'K'<<16
	mtERR uint32 = 'E' | 'R'<<8 | 'R'<<16
	mtRHE uint32 = 'R' | 'H'<<8 | 'E'<<16
	mtOPN uint32 = 'O' | 'P'<<8 | 'N'<<16
	mtMSG uint32 = 'M' | 'S'<<8 | 'G'<<16
	mtCLO uint32 = 'C' | 'L'<<8 | 'O'<<16
)

// Chunk types (the fourth header byte). Spec: Part 6 §6.7.2.2 Table 41.
const (
	chunkFinal        = 'F'
	chunkIntermediate = 'C'
	chunkAbort        = 'A'
)

// Sizes and limits.
const (
	hdrLen = 8 // message type, chunk type, message size

	// minMessageSize: HEL, ACK and secure messages have fixed fields past the header; ERR
	// has at least its error code. A size below the header is impossible.
	minMessageSize = hdrLen
	// maxChunkSize: the largest chunk accepted as plausible. Part 6 lets peers negotiate
	// buffer sizes; 16 MiB is far above any stack's default (64 KiB) and below the
	// nonsense a desynchronised stream produces.
	maxChunkSize = 16 << 20
	// inlineChunk: chunks up to this size are left to the engine's buffer (64 KiB cap);
	// bigger ones are accumulated in the parser's own per-direction buffer.
	inlineChunk = 60 << 10
	// maxBuffered: at most this much of one chunk is kept; the rest of a bigger chunk is
	// skipped and the chunk decoded from its prefix (headers and service id).
	maxBuffered = 1 << 20
	// maxMessage / maxChunks bound the reassembly of one multi-chunk message.
	maxMessage = 2 << 20
	maxChunks  = 1024
	// maxPending bounds the requests awaiting a response per flow (Suricata's default
	// app-layer transaction cap is of the same order).
	maxPending = 512
	// maxItems bounds the array elements logged per array (service logs, events).
	maxItems = 1000
	// maxDepth bounds nested Variant / DataValue / DiagnosticInfo decoding.
	maxDepth = 8
	// hexMax is the number of bytes shown of nonces, certificates and signatures: ICSNPP
	// logs their first 24 bytes as hex followed by "...".
	hexMax = 24
)

// Security policy URI of the None policy. Spec: Part 7 (SecurityPolicy None).
const policyNone = "http://opcfoundation.org/UA/SecurityPolicy#None"

// Built-in type ids. Spec: Part 6 §5.1.2 Table 1.
const (
	btBoolean = iota + 1
	btSByte
	btByte
	btInt16
	btUInt16
	btInt32
	btUInt32
	btInt64
	btUInt64
	btFloat
	btDouble
	btString
	btDateTime
	btGUID
	btByteString
	btXMLElement
	btNodeID
	btExpandedNodeID
	btStatusCode
	btQualifiedName
	btLocalizedText
	btExtensionObject
	btDataValue
	btVariant
	btDiagnosticInfo
)

// Service encoding node ids (binary encodings, namespace 0). Spec: Part 6 Annex A
// (NodeIds.csv, "*_Encoding_DefaultBinary").
const (
	idServiceFault             = 397
	idFindServersReq           = 422
	idFindServersRes           = 425
	idGetEndpointsReq          = 428
	idGetEndpointsRes          = 431
	idOpenSecureChannelReq     = 446
	idOpenSecureChannelRes     = 449
	idCloseSecureChannelReq    = 452
	idCloseSecureChannelRes    = 455
	idCreateSessionReq         = 461
	idCreateSessionRes         = 464
	idActivateSessionReq       = 467
	idActivateSessionRes       = 470
	idCloseSessionReq          = 473
	idCloseSessionRes          = 476
	idCancelReq                = 479
	idCancelRes                = 482
	idAddNodesReq              = 488
	idAddNodesRes              = 491
	idAddReferencesReq         = 494
	idAddReferencesRes         = 497
	idDeleteNodesReq           = 500
	idDeleteNodesRes           = 503
	idDeleteReferencesReq      = 506
	idDeleteReferencesRes      = 509
	idBrowseReq                = 527
	idBrowseRes                = 530
	idBrowseNextReq            = 533
	idBrowseNextRes            = 536
	idTranslateReq             = 554
	idTranslateRes             = 557
	idRegisterNodesReq         = 560
	idRegisterNodesRes         = 563
	idUnregisterNodesReq       = 566
	idUnregisterNodesRes       = 569
	idQueryFirstReq            = 615
	idQueryFirstRes            = 618
	idQueryNextReq             = 621
	idQueryNextRes             = 624
	idReadReq                  = 631
	idReadRes                  = 634
	idHistoryReadReq           = 664
	idHistoryReadRes           = 667
	idWriteReq                 = 673
	idWriteRes                 = 676
	idHistoryUpdateReq         = 700
	idHistoryUpdateRes         = 703
	idCallReq                  = 712
	idCallRes                  = 715
	idCreateMonitoredItemsReq  = 751
	idCreateMonitoredItemsRes  = 754
	idModifyMonitoredItemsReq  = 763
	idModifyMonitoredItemsRes  = 766
	idSetMonitoringModeReq     = 769
	idSetMonitoringModeRes     = 772
	idSetTriggeringReq         = 775
	idSetTriggeringRes         = 778
	idDeleteMonitoredItemsReq  = 781
	idDeleteMonitoredItemsRes  = 784
	idCreateSubscriptionReq    = 787
	idCreateSubscriptionRes    = 790
	idModifySubscriptionReq    = 793
	idModifySubscriptionRes    = 796
	idSetPublishingModeReq     = 799
	idSetPublishingModeRes     = 802
	idPublishReq               = 826
	idPublishRes               = 829
	idRepublishReq             = 832
	idRepublishRes             = 835
	idTransferSubscriptionsReq = 841
	idTransferSubscriptionsRes = 844
	idDeleteSubscriptionsReq   = 847
	idDeleteSubscriptionsRes   = 850
	idRegisterServerReq        = 437
	idRegisterServerRes        = 440
	idFindServersOnNetworkReq  = 12208
	idFindServersOnNetworkRes  = 12209
	idRegisterServer2Req       = 12211
	idRegisterServer2Res       = 12212
	idAnonymousIdentityToken   = 321
	idUserNameIdentityToken    = 324
	idX509IdentityToken        = 327
	idIssuedIdentityToken      = 940
	idDataChangeFilter         = 724
	idEventFilter              = 727
	idAggregateFilter          = 730
)

// serviceKind says whether a service encoding id is a request, a response or neither.
type serviceKind uint8

const (
	kindNone serviceKind = iota
	kindRequest
	kindResponse
)

// serviceName returns the name ICSNPP logs in identifier_str for an encoding id, and
// whether the id is a request or a response. Unknown ids return "" and kindNone.
func serviceName(id uint32) (string, serviceKind) {
	switch id {
	case idServiceFault:
		return "ServiceFault", kindResponse
	case idFindServersReq:
		return "FindServersRequest", kindRequest
	case idFindServersRes:
		return "FindServersResponse", kindResponse
	case idGetEndpointsReq:
		return "GetEndpointsRequest", kindRequest
	case idGetEndpointsRes:
		return "GetEndpointsResponse", kindResponse
	case idRegisterServerReq:
		return "RegisterServerRequest", kindRequest
	case idRegisterServerRes:
		return "RegisterServerResponse", kindResponse
	case idOpenSecureChannelReq:
		return "OpenSecureChannelRequest", kindRequest
	case idOpenSecureChannelRes:
		return "OpenSecureChannelResponse", kindResponse
	case idCloseSecureChannelReq:
		return "CloseSecureChannelRequest", kindRequest
	case idCloseSecureChannelRes:
		return "CloseSecureChannelResponse", kindResponse
	case idCreateSessionReq:
		return "CreateSessionRequest", kindRequest
	case idCreateSessionRes:
		return "CreateSessionResponse", kindResponse
	case idActivateSessionReq:
		return "ActivateSessionRequest", kindRequest
	case idActivateSessionRes:
		return "ActivateSessionResponse", kindResponse
	case idCloseSessionReq:
		return "CloseSessionRequest", kindRequest
	case idCloseSessionRes:
		return "CloseSessionResponse", kindResponse
	case idCancelReq:
		return "CancelRequest", kindRequest
	case idCancelRes:
		return "CancelResponse", kindResponse
	case idAddNodesReq:
		return "AddNodesRequest", kindRequest
	case idAddNodesRes:
		return "AddNodesResponse", kindResponse
	case idAddReferencesReq:
		return "AddReferencesRequest", kindRequest
	case idAddReferencesRes:
		return "AddReferencesResponse", kindResponse
	case idDeleteNodesReq:
		return "DeleteNodesRequest", kindRequest
	case idDeleteNodesRes:
		return "DeleteNodesResponse", kindResponse
	case idDeleteReferencesReq:
		return "DeleteReferencesRequest", kindRequest
	case idDeleteReferencesRes:
		return "DeleteReferencesResponse", kindResponse
	case idBrowseReq:
		return "BrowseRequest", kindRequest
	case idBrowseRes:
		return "BrowseResponse", kindResponse
	case idBrowseNextReq:
		return "BrowseNextRequest", kindRequest
	case idBrowseNextRes:
		return "BrowseNextResponse", kindResponse
	case idTranslateReq:
		return "TranslateBrowsePathsToNodeIdsRequest", kindRequest
	case idTranslateRes:
		return "TranslateBrowsePathsToNodeIdsResponse", kindResponse
	case idRegisterNodesReq:
		return "RegisterNodesRequest", kindRequest
	case idRegisterNodesRes:
		return "RegisterNodesResponse", kindResponse
	case idUnregisterNodesReq:
		return "UnregisterNodesRequest", kindRequest
	case idUnregisterNodesRes:
		return "UnregisterNodesResponse", kindResponse
	case idQueryFirstReq:
		return "QueryFirstRequest", kindRequest
	case idQueryFirstRes:
		return "QueryFirstResponse", kindResponse
	case idQueryNextReq:
		return "QueryNextRequest", kindRequest
	case idQueryNextRes:
		return "QueryNextResponse", kindResponse
	case idReadReq:
		return "ReadRequest", kindRequest
	case idReadRes:
		return "ReadResponse", kindResponse
	case idHistoryReadReq:
		return "HistoryReadRequest", kindRequest
	case idHistoryReadRes:
		return "HistoryReadResponse", kindResponse
	case idWriteReq:
		return "WriteRequest", kindRequest
	case idWriteRes:
		return "WriteResponse", kindResponse
	case idHistoryUpdateReq:
		return "HistoryUpdateRequest", kindRequest
	case idHistoryUpdateRes:
		return "HistoryUpdateResponse", kindResponse
	case idCallReq:
		return "CallRequest", kindRequest
	case idCallRes:
		return "CallResponse", kindResponse
	case idCreateMonitoredItemsReq:
		return "CreateMonitoredItemsRequest", kindRequest
	case idCreateMonitoredItemsRes:
		return "CreateMonitoredItemsResponse", kindResponse
	case idModifyMonitoredItemsReq:
		return "ModifyMonitoredItemsRequest", kindRequest
	case idModifyMonitoredItemsRes:
		return "ModifyMonitoredItemsResponse", kindResponse
	case idSetMonitoringModeReq:
		return "SetMonitoringModeRequest", kindRequest
	case idSetMonitoringModeRes:
		return "SetMonitoringModeResponse", kindResponse
	case idSetTriggeringReq:
		return "SetTriggeringRequest", kindRequest
	case idSetTriggeringRes:
		return "SetTriggeringResponse", kindResponse
	case idDeleteMonitoredItemsReq:
		return "DeleteMonitoredItemsRequest", kindRequest
	case idDeleteMonitoredItemsRes:
		return "DeleteMonitoredItemsResponse", kindResponse
	case idCreateSubscriptionReq:
		return "CreateSubscriptionRequest", kindRequest
	case idCreateSubscriptionRes:
		return "CreateSubscriptionResponse", kindResponse
	case idModifySubscriptionReq:
		return "ModifySubscriptionRequest", kindRequest
	case idModifySubscriptionRes:
		return "ModifySubscriptionResponse", kindResponse
	case idSetPublishingModeReq:
		return "SetPublishingModeRequest", kindRequest
	case idSetPublishingModeRes:
		return "SetPublishingModeResponse", kindResponse
	case idPublishReq:
		return "PublishRequest", kindRequest
	case idPublishRes:
		return "PublishResponse", kindResponse
	case idRepublishReq:
		return "RepublishRequest", kindRequest
	case idRepublishRes:
		return "RepublishResponse", kindResponse
	case idTransferSubscriptionsReq:
		return "TransferSubscriptionsRequest", kindRequest
	case idTransferSubscriptionsRes:
		return "TransferSubscriptionsResponse", kindResponse
	case idDeleteSubscriptionsReq:
		return "DeleteSubscriptionsRequest", kindRequest
	case idDeleteSubscriptionsRes:
		return "DeleteSubscriptionsResponse", kindResponse
	case idFindServersOnNetworkReq:
		return "FindServersOnNetworkRequest", kindRequest
	case idFindServersOnNetworkRes:
		return "FindServersOnNetworkResponse", kindResponse
	case idRegisterServer2Req:
		return "RegisterServer2Request", kindRequest
	case idRegisterServer2Res:
		return "RegisterServer2Response", kindResponse
	}
	return "", kindNone
}

// typeName names the non-service encoding ids the service logs show (identity tokens,
// monitoring filters).
func typeName(id uint32) string {
	switch id {
	case idAnonymousIdentityToken:
		return "AnonymousIdentityToken"
	case idUserNameIdentityToken:
		return "UserNameIdentityToken"
	case idX509IdentityToken:
		return "X509IdentityToken"
	case idIssuedIdentityToken:
		return "IssuedIdentityToken"
	case idDataChangeFilter:
		return "DataChangeFilter"
	case idEventFilter:
		return "EventFilter"
	case idAggregateFilter:
		return "AggregateFilter"
	}
	if n, _ := serviceName(id); n != "" {
		return n
	}
	return ""
}

// attributeName names an attribute id. Spec: Part 6 Annex A.1 (AttributeIds.csv).
func attributeName(id uint32) string {
	switch id {
	case 1:
		return "NodeId"
	case 2:
		return "NodeClass"
	case 3:
		return "BrowseName"
	case 4:
		return "DisplayName"
	case 5:
		return "Description"
	case 6:
		return "WriteMask"
	case 7:
		return "UserWriteMask"
	case 8:
		return "IsAbstract"
	case 9:
		return "Symmetric"
	case 10:
		return "InverseName"
	case 11:
		return "ContainsNoLoops"
	case 12:
		return "EventNotifier"
	case 13:
		return "Value"
	case 14:
		return "DataType"
	case 15:
		return "ValueRank"
	case 16:
		return "ArrayDimensions"
	case 17:
		return "AccessLevel"
	case 18:
		return "UserAccessLevel"
	case 19:
		return "MinimumSamplingInterval"
	case 20:
		return "Historizing"
	case 21:
		return "Executable"
	case 22:
		return "UserExecutable"
	case 23:
		return "DataTypeDefinition"
	case 24:
		return "RolePermissions"
	case 25:
		return "UserRolePermissions"
	case 26:
		return "AccessRestrictions"
	case 27:
		return "AccessLevelEx"
	}
	return "Unknown"
}

// nodeClassName spells a NodeClass as ICSNPP does. Spec: Part 4 §7.20 (NodeClass).
func nodeClassName(c uint32) string {
	switch c {
	case 0:
		return "UnspecifiedNodeClass"
	case 1:
		return "ObjectNodeClass"
	case 2:
		return "VariableNodeClass"
	case 4:
		return "MethodNodeClass"
	case 8:
		return "ObjectTypeNodeClass"
	case 16:
		return "VariableTypeNodeClass"
	case 32:
		return "ReferenceTypeNodeClass"
	case 64:
		return "DataTypeNodeClass"
	case 128:
		return "ViewNodeClass"
	}
	return "Unknown"
}

// browseDirectionName spells a BrowseDirection. Spec: Part 4 §7.5.
func browseDirectionName(d uint32) string {
	switch d {
	case 0:
		return "FWD"
	case 1:
		return "INV"
	case 2:
		return "BOTH"
	}
	return "INVALID"
}

// timestampsName spells a TimestampsToReturn. Spec: Part 4 §7.40.
func timestampsName(t uint32) string {
	switch t {
	case 0:
		return "Source"
	case 1:
		return "Server"
	case 2:
		return "Both"
	case 3:
		return "Neither"
	}
	return "Invalid"
}

// monitoringModeName spells a MonitoringMode. Spec: Part 4 §7.17.
func monitoringModeName(m uint32) string {
	switch m {
	case 0:
		return "Disabled"
	case 1:
		return "Sampling"
	case 2:
		return "Reporting"
	}
	return "Invalid"
}

// securityModeName spells a MessageSecurityMode. Spec: Part 4 §7.15.
func securityModeName(m uint32) string {
	switch m {
	case 1:
		return "None"
	case 2:
		return "Sign"
	case 3:
		return "SignAndEncrypt"
	}
	return "Invalid"
}

// tokenTypeName spells a UserTokenType. Spec: Part 4 §7.37.
func tokenTypeName(t uint32) string {
	switch t {
	case 0:
		return "Anonymous"
	case 1:
		return "UserName"
	case 2:
		return "Certificate"
	case 3:
		return "IssuedToken"
	}
	return "Invalid"
}

// Status code sources, as ICSNPP numbers them in opcua_binary_status_code_detail.log.
const (
	srcResponseHeader       = 0
	srcBrowse               = 2
	srcActivateSession      = 4
	srcRead                 = 6
	srcCreateMonitoredItems = 8
	srcWrite                = 18
)

func statusSourceName(s int) string {
	switch s {
	case srcResponseHeader:
		return "ResponseHeader"
	case srcBrowse:
		return "Browse"
	case srcActivateSession:
		return "ActivateSession"
	case srcRead:
		return "Read"
	case srcCreateMonitoredItems:
		return "CreateMonitoredItems"
	case srcWrite:
		return "Write"
	}
	return "Unknown"
}

// severityName spells the two severity bits of a StatusCode. Spec: Part 4 §7.34.1.
func severityName(s uint32) string {
	switch s {
	case 0:
		return "Severity_Good"
	case 1:
		return "Severity_Uncertain"
	case 2:
		return "Severity_Bad"
	}
	return "Severity_Reserved"
}

func infoTypeName(t uint32) string {
	switch t {
	case 0:
		return "InfoType_NotUsed"
	case 1:
		return "InfoType_DataValue"
	}
	return "InfoType_Reserved"
}

func limitBitsName(l uint32) string {
	switch l {
	case 0:
		return "Limit_None"
	case 1:
		return "Limit_Low"
	case 2:
		return "Limit_High"
	}
	return "Limit_Constant"
}

func historianBitsName(h uint32) string {
	switch h {
	case 0:
		return "Historian_Raw"
	case 1:
		return "Historian_Calculated"
	case 2:
		return "Historian_Interpolated"
	}
	return "Historian_Reserved"
}

// statusName names a StatusCode by its severity and sub code (the upper 16 bits).
// Spec: Part 6 Annex A.2 (StatusCode.csv); the table holds the codes seen in practice.
func statusName(code uint32) string {
	switch code >> 16 {
	case 0x0000:
		return "Good"
	case 0x4000:
		return "Uncertain"
	case 0x8000:
		return "Bad"
	case 0x8001:
		return "BadUnexpectedError"
	case 0x8002:
		return "BadInternalError"
	case 0x8003:
		return "BadOutOfMemory"
	case 0x8004:
		return "BadResourceUnavailable"
	case 0x8005:
		return "BadCommunicationError"
	case 0x8006:
		return "BadEncodingError"
	case 0x8007:
		return "BadDecodingError"
	case 0x8008:
		return "BadEncodingLimitsExceeded"
	case 0x8009:
		return "BadUnknownResponse"
	case 0x800a:
		return "BadTimeout"
	case 0x800b:
		return "BadServiceUnsupported"
	case 0x800c:
		return "BadShutdown"
	case 0x800d:
		return "BadServerNotConnected"
	case 0x800e:
		return "BadServerHalted"
	case 0x800f:
		return "BadNothingToDo"
	case 0x8010:
		return "BadTooManyOperations"
	case 0x8011:
		return "BadDataTypeIdUnknown"
	case 0x8012:
		return "BadCertificateInvalid"
	case 0x8013:
		return "BadSecurityChecksFailed"
	case 0x8014:
		return "BadCertificateTimeInvalid"
	case 0x8015:
		return "BadCertificateIssuerTimeInvalid"
	case 0x8016:
		return "BadCertificateHostNameInvalid"
	case 0x8017:
		return "BadCertificateUriInvalid"
	case 0x8018:
		return "BadCertificateUseNotAllowed"
	case 0x8019:
		return "BadCertificateIssuerUseNotAllowed"
	case 0x801a:
		return "BadCertificateUntrusted"
	case 0x801b:
		return "BadCertificateRevocationUnknown"
	case 0x801c:
		return "BadCertificateIssuerRevocationUnknown"
	case 0x801d:
		return "BadCertificateRevoked"
	case 0x801e:
		return "BadCertificateIssuerRevoked"
	case 0x801f:
		return "BadUserAccessDenied"
	case 0x8020:
		return "BadIdentityTokenInvalid"
	case 0x8021:
		return "BadIdentityTokenRejected"
	case 0x8022:
		return "BadSecureChannelIdInvalid"
	case 0x8023:
		return "BadInvalidTimestamp"
	case 0x8024:
		return "BadNonceInvalid"
	case 0x8025:
		return "BadSessionIdInvalid"
	case 0x8026:
		return "BadSessionClosed"
	case 0x8027:
		return "BadSessionNotActivated"
	case 0x8028:
		return "BadSubscriptionIdInvalid"
	case 0x802a:
		return "BadRequestHeaderInvalid"
	case 0x802b:
		return "BadTimestampsToReturnInvalid"
	case 0x802c:
		return "BadRequestCancelledByClient"
	case 0x002d:
		return "GoodSubscriptionTransferred"
	case 0x002e:
		return "GoodCompletesAsynchronously"
	case 0x002f:
		return "GoodOverload"
	case 0x0030:
		return "GoodClamped"
	case 0x8031:
		return "BadNoCommunication"
	case 0x8032:
		return "BadWaitingForInitialData"
	case 0x8033:
		return "BadNodeIdInvalid"
	case 0x8034:
		return "BadNodeIdUnknown"
	case 0x8035:
		return "BadAttributeIdInvalid"
	case 0x8036:
		return "BadIndexRangeInvalid"
	case 0x8037:
		return "BadIndexRangeNoData"
	case 0x8038:
		return "BadDataEncodingInvalid"
	case 0x8039:
		return "BadDataEncodingUnsupported"
	case 0x803a:
		return "BadNotReadable"
	case 0x803b:
		return "BadNotWritable"
	case 0x803c:
		return "BadOutOfRange"
	case 0x803d:
		return "BadNotSupported"
	case 0x803e:
		return "BadNotFound"
	case 0x803f:
		return "BadObjectDeleted"
	case 0x8040:
		return "BadNotImplemented"
	case 0x8041:
		return "BadMonitoringModeInvalid"
	case 0x8042:
		return "BadMonitoredItemIdInvalid"
	case 0x8043:
		return "BadMonitoredItemFilterInvalid"
	case 0x8044:
		return "BadMonitoredItemFilterUnsupported"
	case 0x8045:
		return "BadFilterNotAllowed"
	case 0x8046:
		return "BadStructureMissing"
	case 0x8047:
		return "BadEventFilterInvalid"
	case 0x8048:
		return "BadContentFilterInvalid"
	case 0x804a:
		return "BadContinuationPointInvalid"
	case 0x804b:
		return "BadNoContinuationPoints"
	case 0x804c:
		return "BadReferenceTypeIdInvalid"
	case 0x804d:
		return "BadBrowseDirectionInvalid"
	case 0x804e:
		return "BadNodeNotInView"
	case 0x804f:
		return "BadServerUriInvalid"
	case 0x8050:
		return "BadServerNameMissing"
	case 0x8051:
		return "BadDiscoveryUrlMissing"
	case 0x8052:
		return "BadSempahoreFileMissing"
	case 0x8053:
		return "BadRequestTypeInvalid"
	case 0x8054:
		return "BadSecurityModeRejected"
	case 0x8055:
		return "BadSecurityPolicyRejected"
	case 0x8056:
		return "BadTooManySessions"
	case 0x8057:
		return "BadUserSignatureInvalid"
	case 0x8058:
		return "BadApplicationSignatureInvalid"
	case 0x8059:
		return "BadNoValidCertificates"
	case 0x805a:
		return "BadRequestCancelledByRequest"
	case 0x805b:
		return "BadParentNodeIdInvalid"
	case 0x805c:
		return "BadReferenceNotAllowed"
	case 0x805d:
		return "BadNodeIdRejected"
	case 0x805e:
		return "BadNodeIdExists"
	case 0x805f:
		return "BadNodeClassInvalid"
	case 0x8060:
		return "BadBrowseNameInvalid"
	case 0x8061:
		return "BadBrowseNameDuplicated"
	case 0x8062:
		return "BadNodeAttributesInvalid"
	case 0x8063:
		return "BadTypeDefinitionInvalid"
	case 0x8064:
		return "BadSourceNodeIdInvalid"
	case 0x8065:
		return "BadTargetNodeIdInvalid"
	case 0x8066:
		return "BadDuplicateReferenceNotAllowed"
	case 0x8067:
		return "BadInvalidSelfReference"
	case 0x8068:
		return "BadReferenceLocalOnly"
	case 0x8069:
		return "BadNoDeleteRights"
	case 0x806a:
		return "BadServerIndexInvalid"
	case 0x806b:
		return "BadViewIdUnknown"
	case 0x8073:
		return "BadWriteNotSupported"
	case 0x8074:
		return "BadTypeMismatch"
	case 0x8075:
		return "BadMethodInvalid"
	case 0x8076:
		return "BadArgumentsMissing"
	case 0x8078:
		return "BadTooManyPublishRequests"
	case 0x8079:
		return "BadNoSubscription"
	case 0x807a:
		return "BadSequenceNumberUnknown"
	case 0x807b:
		return "BadMessageNotAvailable"
	case 0x807c:
		return "BadInsufficientClientProfile"
	case 0x8080:
		return "BadTcpServerTooBusy"
	case 0x8081:
		return "BadTcpMessageTypeInvalid"
	case 0x8082:
		return "BadTcpSecureChannelUnknown"
	case 0x8083:
		return "BadTcpMessageTooLarge"
	case 0x8084:
		return "BadTcpNotEnoughResources"
	case 0x8085:
		return "BadTcpInternalError"
	case 0x8086:
		return "BadTcpEndpointUrlInvalid"
	case 0x8087:
		return "BadRequestInterrupted"
	case 0x8088:
		return "BadRequestTimeout"
	case 0x8089:
		return "BadSecureChannelClosed"
	case 0x808a:
		return "BadSecureChannelTokenUnknown"
	case 0x808b:
		return "BadSequenceNumberInvalid"
	case 0x808c:
		return "BadConfigurationError"
	case 0x808d:
		return "BadNotConnected"
	case 0x808e:
		return "BadDeviceFailure"
	case 0x808f:
		return "BadSensorFailure"
	case 0x8090:
		return "BadOutOfService"
	case 0x80ab:
		return "BadInvalidArgument"
	case 0x80ac:
		return "BadConnectionRejected"
	case 0x80ad:
		return "BadDisconnect"
	case 0x80ae:
		return "BadConnectionClosed"
	case 0x80af:
		return "BadInvalidState"
	case 0x80b0:
		return "BadEndOfStream"
	case 0x80b1:
		return "BadNoDataAvailable"
	case 0x80b2:
		return "BadWaitingForResponse"
	case 0x80b3:
		return "BadOperationAbandoned"
	case 0x80b8:
		return "BadRequestTooLarge"
	case 0x80b9:
		return "BadResponseTooLarge"
	case 0x80db:
		return "BadTooManyMonitoredItems"
	}
	return "Unknown"
}
