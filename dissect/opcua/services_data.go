package opcua

import (
	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/wire"
)

// browseReq. Spec: Part 4 §5.8.2 (ViewDescription §7.45, BrowseDescription §5.8.2.2).
func (p *parser) browseReq(dir dissect.Dir, r *wire.Reader, link *[16]byte) {
	var view nodeID
	readNodeID(r, &view, false)
	ts := readDateTime(r)
	ver := r.U32LE()
	maxRefs := r.U32LE()
	if r.Err() != nil {
		return
	}
	descLink := p.nextLink()
	rec := p.begin(logBrowse, dir).Bytes("opcua_link_id", link[:]).Str("browse_service_type", "BrowseRequest")
	p.nodeFields(rec, &keysBrowseView, &view)
	rec.Float("browse_view_description_timestamp", ts).Uint("browse_view_description_view_version", uint64(ver)).
		Uint("req_max_ref_nodes", uint64(maxRefs)).Bytes("browse_description_link_id", descLink[:]).Done()
	n := readCount(r)
	var node, ref nodeID
	for i := 0; i < n && r.Err() == nil; i++ {
		readNodeID(r, &node, false)
		bd := r.U32LE()
		readNodeID(r, &ref, false)
		sub := r.U8()
		ncm := r.U32LE()
		rm := r.U32LE()
		if r.Err() != nil || i >= maxItems {
			continue
		}
		drec := p.begin(logBrowseDesc, dir).Bytes("browse_description_link_id", descLink[:])
		p.nodeFields(drec, &keysBrowseDesc, &node)
		drec.Str("browse_direction", browseDirectionName(bd))
		p.nodeFields(drec, &keysBrowseRef, &ref)
		drec.Bool("browse_description_include_subtypes", sub != 0)
		if ncm == 0 {
			drec.Str("browse_node_class_mask", "All")
		} else {
			drec.HexUint("browse_node_class_mask", uint64(ncm), 8)
		}
		drec.HexUint("browse_result_mask", uint64(rm), 8).Done()
	}
}

// browseNextReq. Spec: Part 4 §5.8.3.
func (p *parser) browseNextReq(dir dissect.Dir, r *wire.Reader, link *[16]byte) {
	rel := r.U8()
	if r.Err() != nil {
		return
	}
	p.begin(logBrowse, dir).Bytes("opcua_link_id", link[:]).Str("browse_service_type", "BrowseNextRequest").
		Bool("browse_next_release_continuation_point", rel != 0).Done()
}

// browseRes handles Browse and BrowseNext responses (BrowseResult §7.6, ReferenceDescription
// §7.30).
func (p *parser) browseRes(dir dissect.Dir, r *wire.Reader, link *[16]byte, svcType string) {
	resLink := p.nextLink()
	p.begin(logBrowse, dir).Bytes("opcua_link_id", link[:]).Str("browse_service_type", svcType).
		Bytes("browse_response_link_id", resLink[:]).Done()
	n := readCount(r)
	var refType, target, typeDef nodeID
	var qn qualifiedName
	var lt localizedText
	for i := 0; i < n && r.Err() == nil; i++ {
		status := r.U32LE()
		cp, cpNull := readString(r)
		refLink := p.nextLink()
		m := readCount(r)
		for j := 0; j < m && r.Err() == nil; j++ {
			readNodeID(r, &refType, false)
			fwd := r.U8()
			readNodeID(r, &target, true)
			readQualifiedName(r, &qn)
			readLocalizedText(r, &lt)
			nc := r.U32LE()
			readNodeID(r, &typeDef, true)
			if r.Err() != nil || i >= maxItems || j >= maxItems {
				continue
			}
			rec := p.begin(logBrowseRefs, dir).Bytes("browse_reference_link_id", refLink[:])
			p.nodeFields(rec, &keysRespRef, &refType)
			rec.Bool("browse_response_is_forward", fwd != 0)
			p.nodeFields(rec, &keysRespRefType, &target)
			// ICSNPP leaves a zero name index and an empty locale unset.
			if qn.ns != 0 {
				rec.Uint("browse_response_ref_name_idx", uint64(qn.ns))
			}
			rec.Bytes("browse_response_ref_name", qn.name).
				HexUint("browse_response_display_name_mask", uint64(lt.mask), 2)
			if lt.hasLocale && len(lt.locale) > 0 {
				rec.Bytes("browse_response_display_name_locale", lt.locale)
			}
			if lt.hasText {
				rec.Bytes("browse_response_display_name_text", lt.text)
			}
			rec.Str("browse_response_node_class", nodeClassName(nc))
			p.nodeFields(rec, &keysRespTypeDef, &typeDef)
			rec.Done()
		}
		if r.Err() != nil || i >= maxItems {
			continue
		}
		stLink := p.nextLink()
		p.statusDetail(dir, &stLink, srcBrowse, status)
		rec := p.begin(logBrowseResult, dir).Bytes("browse_response_link_id", resLink[:]).
			Bytes("status_code_link_id", stLink[:])
		if !cpNull {
			p.scratch = appendHexTrunc(p.scratch[:0], cp)
			rec.Bytes("browse_result_continuation_point", p.scratch)
		}
		if m > 0 {
			rec.Bytes("browse_reference_link_id", refLink[:])
		}
		rec.Done()
	}
}

// readValueID is a ReadValueId. Spec: Part 4 §7.29.
type readValueID struct {
	node     nodeID
	attr     uint32
	rng      []byte
	rngNull  bool
	encoding qualifiedName
	encNull  bool
}

func readReadValueID(r *wire.Reader, v *readValueID) {
	readNodeID(r, &v.node, false)
	v.attr = r.U32LE()
	v.rng, v.rngNull = readString(r)
	v.encoding.ns = r.U16LE()
	v.encoding.name, v.encNull = readString(r)
}

// readReq. Spec: Part 4 §5.10.2.
func (p *parser) readReq(dir dissect.Dir, r *wire.Reader, link *[16]byte) {
	maxAge := readDouble(r)
	ttr := r.U32LE()
	if r.Err() != nil {
		return
	}
	nodesLink := p.nextLink()
	p.begin(logRead, dir).Bytes("opcua_link_id", link[:]).Uint("max_age", uint64(maxAge)).
		Uint("timestamps_to_return", uint64(ttr)).Str("timestamps_to_return_str", timestampsName(ttr)).
		Bytes("nodes_to_read_link_id", nodesLink[:]).Done()
	n := readCount(r)
	var v readValueID
	for i := 0; i < n && r.Err() == nil; i++ {
		readReadValueID(r, &v)
		if r.Err() != nil || i >= maxItems {
			continue
		}
		rec := p.begin(logReadNodes, dir).Bytes("nodes_to_read_link_id", nodesLink[:])
		p.nodeFields(rec, &keysNode, &v.node)
		rec.Uint("attribute_id", uint64(v.attr)).Str("attribute_id_str", attributeName(v.attr))
		if !v.rngNull {
			rec.Bytes("index_range", v.rng)
		}
		rec.Uint("data_encoding_name_idx", uint64(v.encoding.ns))
		if !v.encNull {
			rec.Bytes("data_encoding_name", v.encoding.name)
		}
		rec.Done()
	}
}

// dataValueFields adds a DataValue's mask, status link and timestamps.
func (p *parser) dataValueFields(rec *dissect.Record, dv *dataValue, statusKey string, stLink *[16]byte) {
	rec.HexUint("data_value_encoding_mask", uint64(dv.mask), 2)
	if dv.mask&0x02 != 0 {
		rec.Bytes(statusKey, stLink[:])
	}
	if dv.mask&0x04 != 0 {
		rec.Float("source_timestamp", dv.srcTS)
	}
	if dv.mask&0x10 != 0 {
		rec.Uint("source_pico_sec", uint64(dv.srcPico))
	}
	if dv.mask&0x08 != 0 {
		rec.Float("server_timestamp", dv.serverTS)
	}
	if dv.mask&0x20 != 0 {
		rec.Uint("server_pico_sec", uint64(dv.serverPico))
	}
}

// readRes. Spec: Part 4 §5.10.2.
func (p *parser) readRes(dir dissect.Dir, r *wire.Reader, link *[16]byte) {
	resLink := p.nextLink()
	p.begin(logRead, dir).Bytes("opcua_link_id", link[:]).Bytes("read_results_link_id", resLink[:]).Done()
	n := readCount(r)
	var dv dataValue
	for i := 0; i < n && r.Err() == nil; i++ {
		readDataValue(r, &dv, 0)
		if r.Err() != nil || i >= maxItems {
			continue
		}
		var stLink [16]byte
		if dv.mask&0x02 != 0 {
			stLink = p.nextLink()
			p.statusDetail(dir, &stLink, srcRead, dv.status)
		}
		rec := p.begin(logReadResults, dir).Bytes("results_link_id", resLink[:]).Uint("level", 0)
		p.dataValueFields(rec, &dv, "status_code_link_id", &stLink)
		if dv.mask&0x01 != 0 {
			rec.HexUint("data_variant_encoding_mask", uint64(dv.variantMask), 2)
		}
		rec.Done()
	}
}

// writeReq. Spec: Part 4 §5.10.4 (WriteValue).
func (p *parser) writeReq(dir dissect.Dir, r *wire.Reader, link *[16]byte) {
	n := readCount(r)
	var node nodeID
	var dv dataValue
	detail := append(p.detail[:0], "WriteRequest"...)
	logged := 0
	for i := 0; i < n && r.Err() == nil; i++ {
		readNodeID(r, &node, false)
		attr := r.U32LE()
		rng, rngNull := readString(r)
		readDataValue(r, &dv, 0)
		if r.Err() != nil || i >= maxItems {
			continue
		}
		if logged < 16 {
			detail = append(detail, ' ')
			detail = appendNodeText(detail, &node)
			detail = append(detail, " attr="...)
			detail = append(detail, attributeName(attr)...)
		}
		logged++
		var stLink [16]byte
		if dv.mask&0x02 != 0 {
			stLink = p.nextLink()
		}
		rec := p.begin(logWrite, dir).Bytes("opcua_link_id", link[:])
		p.nodeFields(rec, &keysNode, &node)
		rec.Uint("attribute_id", uint64(attr)).Str("attribute_id_str", attributeName(attr))
		if !rngNull {
			rec.Bytes("index_range", rng)
		}
		p.dataValueFields(rec, &dv, "req_status_code_link_id", &stLink)
		rec.Done()
	}
	p.detail = detail[:0]
	if logged > 0 {
		p.env.Event(dir, dissect.EvWrite, string(detail))
	}
}

// writeRes. Spec: Part 4 §5.10.4.
func (p *parser) writeRes(dir dissect.Dir, r *wire.Reader, link *[16]byte) {
	n := readCount(r)
	stLink := p.nextLink()
	rec := p.begin(logWrite, dir).Bytes("opcua_link_id", link[:])
	if n > 0 {
		rec.Bytes("res_status_code_link_id", stLink[:])
	}
	rec.Done()
	for i := 0; i < n && r.Err() == nil; i++ {
		code := r.U32LE()
		if r.Err() != nil || i >= maxItems {
			continue
		}
		p.statusDetail(dir, &stLink, srcWrite, code)
	}
}

// createSubscriptionReq. Spec: Part 4 §5.13.2.
func (p *parser) createSubscriptionReq(dir dissect.Dir, r *wire.Reader, link *[16]byte) {
	interval := readDouble(r)
	life, keep, maxN := r.U32LE(), r.U32LE(), r.U32LE()
	enabled, prio := r.U8(), r.U8()
	if r.Err() != nil {
		return
	}
	p.begin(logCreateSubscription, dir).Bytes("opcua_link_id", link[:]).
		Float("requested_publishing_interval", interval).Uint("requested_lifetime_count", uint64(life)).
		Uint("requested_max_keep_alive_count", uint64(keep)).Uint("max_notifications_per_publish", uint64(maxN)).
		Bool("publishing_enabled", enabled != 0).Uint("priority", uint64(prio)).Done()
}

// createSubscriptionRes. Spec: Part 4 §5.13.2.
func (p *parser) createSubscriptionRes(dir dissect.Dir, r *wire.Reader, link *[16]byte) {
	id := r.U32LE()
	interval := readDouble(r)
	life, keep := r.U32LE(), r.U32LE()
	if r.Err() != nil {
		return
	}
	p.begin(logCreateSubscription, dir).Bytes("opcua_link_id", link[:]).
		Uint("subscription_id", uint64(id)).Float("revised_publishing_interval", interval).
		Uint("revised_lifetime_count", uint64(life)).Uint("revised_max_keep_alive_count", uint64(keep)).Done()
}

// createMonitoredItemsReq. Spec: Part 4 §5.12.2 (MonitoringParameters §7.16).
func (p *parser) createMonitoredItemsReq(dir dissect.Dir, r *wire.Reader, link *[16]byte) {
	sub := r.U32LE()
	ttr := r.U32LE()
	if r.Err() != nil {
		return
	}
	itemLink := p.nextLink()
	p.begin(logCreateMonitoredItems, dir).Bytes("opcua_link_id", link[:]).Uint("subscription_id", uint64(sub)).
		Uint("timestamps_to_return", uint64(ttr)).Str("timestamps_to_return_str", timestampsName(ttr)).
		Bytes("create_item_link_id", itemLink[:]).Done()
	n := readCount(r)
	var v readValueID
	var filter extObject
	for i := 0; i < n && r.Err() == nil; i++ {
		readReadValueID(r, &v)
		mode := r.U32LE()
		handle := r.U32LE()
		sampling := readDouble(r)
		readExtObject(r, &filter)
		queue := r.U32LE()
		discard := r.U8()
		if r.Err() != nil || i >= maxItems {
			continue
		}
		rec := p.begin(logCreateItem, dir).Bytes("create_item_link_id", itemLink[:])
		p.nodeFields(rec, &keysMonitorItem, &v.node)
		rec.Str("item_to_monitor_attribute_id", attributeName(v.attr))
		if !v.rngNull {
			rec.Bytes("item_to_monitor_index_range", v.rng)
		}
		if !v.encNull {
			rec.Uint("item_to_monitor_namespace_idx", uint64(v.encoding.ns)).Bytes("item_to_monitor_name", v.encoding.name)
		}
		rec.Str("monitoring_mode", monitoringModeName(mode)).
			Uint("monitoring_parameters_client_handle", uint64(handle)).
			Float("monitoring_parameters_sampling_interval", sampling).
			Uint("monitoring_parameters_queue_size", uint64(queue)).
			Bool("monitoring_parameters_discard_oldest", discard != 0)
		if filter.typeID.mask != 0 || filter.typeID.num != 0 {
			p.nodeFields(rec, &keysFilterType, &filter.typeID)
			if name := typeName(filter.typeID.num); name != "" {
				rec.Str("monitoring_parameters_filter_info_type_id_string", name)
			}
			rec.HexUint("monitoring_parameters_filter_info_type_id_encoding", uint64(filter.encoding), 2)
		}
		rec.Done()
	}
}

// createMonitoredItemsRes. Spec: Part 4 §5.12.2.
func (p *parser) createMonitoredItemsRes(dir dissect.Dir, r *wire.Reader, link *[16]byte) {
	itemLink := p.nextLink()
	p.begin(logCreateMonitoredItems, dir).Bytes("opcua_link_id", link[:]).
		Bytes("create_item_link_id", itemLink[:]).Done()
	n := readCount(r)
	var filter extObject
	for i := 0; i < n && r.Err() == nil; i++ {
		status := r.U32LE()
		id := r.U32LE()
		sampling := readDouble(r)
		queue := r.U32LE()
		readExtObject(r, &filter)
		if r.Err() != nil || i >= maxItems {
			continue
		}
		stLink := p.nextLink()
		p.statusDetail(dir, &stLink, srcCreateMonitoredItems, status)
		p.begin(logCreateItem, dir).Bytes("create_item_link_id", itemLink[:]).
			Bytes("monitoring_parameters_status_code_link_id", stLink[:]).
			Uint("monitored_item_index_id", uint64(id)).
			Float("monitoring_parameters_revised_sampling_interval", sampling).
			Uint("monitoring_parameters_revised_queue_size", uint64(queue)).Done()
	}
}

// callReq reports method calls as commands. Spec: Part 4 §5.11.2 (CallMethodRequest).
func (p *parser) callReq(dir dissect.Dir, r *wire.Reader) {
	n := readCount(r)
	var obj, method nodeID
	detail := append(p.detail[:0], "CallRequest"...)
	calls := 0
	for i := 0; i < n && r.Err() == nil; i++ {
		readNodeID(r, &obj, false)
		readNodeID(r, &method, false)
		m := readCount(r)
		for j := 0; j < m && r.Err() == nil; j++ {
			skipVariant(r, 0)
		}
		if r.Err() != nil {
			break
		}
		if calls < 16 {
			detail = append(detail, " object="...)
			detail = appendNodeText(detail, &obj)
			detail = append(detail, " method="...)
			detail = appendNodeText(detail, &method)
		}
		calls++
	}
	p.detail = detail[:0]
	if calls > 0 {
		p.env.Event(dir, dissect.EvCommand, string(detail))
	}
}

// nodeManagementReq reports address-space changes. Spec: Part 4 §5.7.
func (p *parser) nodeManagementReq(dir dissect.Dir, ms *msgStart, r *wire.Reader) {
	n := readCount(r)
	detail := append(p.detail[:0], ms.name...)
	var a, b nodeID
	var qn qualifiedName
	var e extObject
	items := 0
	for i := 0; i < n && r.Err() == nil; i++ {
		switch ms.svc {
		case idAddNodesReq:
			readNodeID(r, &a, true) // parent
			skipNodeID(r, false)    // reference type
			readNodeID(r, &b, true) // requested new node id
			readQualifiedName(r, &qn)
			r.U32LE() // node class
			readExtObject(r, &e)
			skipNodeID(r, true) // type definition
			if r.Err() == nil && items < 16 {
				detail = append(detail, " parent="...)
				detail = appendNodeText(detail, &a)
				detail = append(detail, " name="...)
				detail = append(detail, qn.name...)
			}
		case idDeleteNodesReq:
			readNodeID(r, &a, false)
			r.U8()
			if r.Err() == nil && items < 16 {
				detail = append(detail, ' ')
				detail = appendNodeText(detail, &a)
			}
		case idAddReferencesReq:
			readNodeID(r, &a, false)
			skipNodeID(r, false)
			r.U8()
			readString(r)
			readNodeID(r, &b, true)
			r.U32LE()
			if r.Err() == nil && items < 16 {
				detail = append(detail, ' ')
				detail = appendNodeText(detail, &a)
				detail = append(detail, "->"...)
				detail = appendNodeText(detail, &b)
			}
		case idDeleteReferencesReq:
			readNodeID(r, &a, false)
			skipNodeID(r, false)
			r.U8()
			readNodeID(r, &b, true)
			r.U8()
			if r.Err() == nil && items < 16 {
				detail = append(detail, ' ')
				detail = appendNodeText(detail, &a)
				detail = append(detail, "->"...)
				detail = appendNodeText(detail, &b)
			}
		}
		items++
	}
	p.detail = detail[:0]
	p.env.Event(dir, dissect.EvConfigWrite, string(detail))
}
