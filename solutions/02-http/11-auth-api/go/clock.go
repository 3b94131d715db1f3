// Given: you do not need to change this file.

package main

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// Now is the clock the program runs on. The graders move time by rewriting the file that
// CLOCK_FILE names (milliseconds since the Unix epoch), so take every timestamp from the
// now function NewApp receives, never from time.Now directly. Without CLOCK_FILE it is
// time.Now.
func Now() time.Time {
	path := os.Getenv("CLOCK_FILE")
	if path == "" {
		return time.Now()
	}
	data, err := os.ReadFile(path)
	if err != nil {
		panic("clock: " + err.Error())
	}
	ms, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	if err != nil {
		panic("clock: " + err.Error())
	}
	return time.UnixMilli(ms).UTC()
}
