// Package mqtt dissects MQTT 3.1 (protocol name "MQIsdp", level 3), 3.1.1 (OASIS Standard,
// "MQTT" level 4) and 5.0 (OASIS Standard, level 5) over TCP (port hint 1883; the probe
// recognises a CONNECT on any port).
//
// Scope:
//   - fixed-header framing with variable byte integer lengths, resynchronisation on the next
//     plausible fixed header after a gap or an invalid header;
//   - CONNECT (protocol name and level, client id, will topic and payload, user name; the
//     password is skipped, never kept), CONNACK (3.1.x return codes, 5.0 reason codes),
//     PUBLISH with QoS 0/1/2 and its PUBACK/PUBREC/PUBREL/PUBCOMP exchange, SUBSCRIBE/
//     SUBACK, UNSUBSCRIBE/UNSUBACK, PINGREQ/PINGRESP, DISCONNECT; 5.0 property blocks are
//     skipped;
//   - Zeek's mqtt_connect.log, mqtt_publish.log and mqtt_subscribe.log with its semantics:
//     a connect is logged at its CONNACK, a QoS 0 publish at once, QoS 1 at PUBACK, QoS 2 at
//     PUBCOMP after PUBREC and PUBREL, an unfinished one after 5 s or at the end of the flow
//     with status incomplete_qos; subscriptions at their acknowledgement;
//   - facts (roles, client id), login events and named anomalies.
//
// Not parsed: 5.0 properties (user properties, reason strings, topic aliases: a PUBLISH that
// uses a topic alias is logged with its empty topic), AUTH exchanges, reason codes of 5.0
// PUBACK/UNSUBACK/DISCONNECT, MQTT over WebSocket and over TLS (port 8883 is TLS's).
package mqtt
