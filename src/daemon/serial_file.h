#pragma once
// The last SOA serial served, kept in --state-dir (DIR/serial) so that a restarted vmdns never
// serves a serial lower than one a secondary already holds: the first snapshot after a start
// is numbered above both the clock and the kept serial (RFC 1982 order), even when bursts of
// changes had pushed the serials ahead of the clock.
//
//   uint32_t first = serial_after_restart(dir, config.serial);   // before the first build
//   keep_serial(dir, snapshot.serial());                         // after each publish
//
// A missing file is a first start; an unreadable or malformed one is logged and ignored (the
// clock still makes serials grow).

#include <cstdint>
#include <string>

namespace vmdns::daemon {

// `clock_serial`, or the kept serial + 1 when that is newer.
uint32_t serial_after_restart(const std::string& state_dir, uint32_t clock_serial);
// Writes DIR/serial (a temporary file renamed over it); a failure is logged once.
void keep_serial(const std::string& state_dir, uint32_t serial);

}  // namespace vmdns::daemon
