// Package enip is the enip dissector (being written).
package enip
