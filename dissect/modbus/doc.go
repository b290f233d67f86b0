// Package modbus is the modbus dissector (being written).
package modbus
