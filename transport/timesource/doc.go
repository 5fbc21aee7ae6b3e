// Package timesource corrects the host clock by the offset that SNTP
// servers report, the way 2019 Status nodes did: Whisper drops envelopes
// sent more than a few seconds in the future or already expired, and Status
// clocks derive from wall time, so a node whose clock is off by tens of
// seconds can neither be read nor read others without it.
//
// Query asks one server (RFC 4330 SNTP over UDP). A Source asks every
// configured server at once, takes the median offset of those that answered
// — provided no more than AllowedFailures failed — and applies it to the
// host clock in Now. It refreshes every FastPeriod until the first success
// and every SlowPeriod after. The defaults (the four pool.ntp.org zones, one
// failure allowed, 2 s per query, 2 min and 1 h) are those of status-go's
// timesource package in 2019.
package timesource
