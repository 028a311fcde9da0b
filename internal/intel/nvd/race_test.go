//go:build race

package nvd_test

// raceEnabled is true when the tests run under the race detector, which
// makes parsing some twenty times slower.
const raceEnabled = true
