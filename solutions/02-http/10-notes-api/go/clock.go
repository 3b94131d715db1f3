// Given: you do not need to change this file.

package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Now is the clock NewApp receives. The graders move time by hand: they start the program
// with CLOCK_FILE naming a file that holds the current time in milliseconds since the Unix
// epoch, rewritten whenever the tests advance it. Without CLOCK_FILE it is time.Now.
func Now() time.Time {
	file := os.Getenv("CLOCK_FILE")
	if file == "" {
		return time.Now()
	}
	content, err := os.ReadFile(file)
	if err != nil {
		panic(fmt.Sprintf("clock: %v", err))
	}
	ms, err := strconv.ParseInt(strings.TrimSpace(string(content)), 10, 64)
	if err != nil {
		panic(fmt.Sprintf("clock: %s: %v", file, err))
	}
	return time.UnixMilli(ms).UTC()
}
