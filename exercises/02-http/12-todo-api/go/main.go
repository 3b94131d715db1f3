// Given: you do not need to change this file.
//
// The graders build this program and start it with PORT (listen on 127.0.0.1:$PORT) and
// CLOCK_FILE (the current time, see clock.go) in its environment, a fresh process for
// each test, and talk to it over HTTP. Run it yourself with `go run .` (port 8080).
package main

import (
	"log"
	"net/http"
	"os"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	srv := &http.Server{Addr: "127.0.0.1:" + port, Handler: NewApp(Now)}
	log.Printf("todo-api listening on http://%s", srv.Addr)
	log.Fatal(srv.ListenAndServe())
}
