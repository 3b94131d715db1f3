// Given: you do not need to change this file.
//
// The graders build this program and start it with two environment variables: PORT, the
// port to listen on (always on 127.0.0.1), and CLOCK_FILE, the clock the tests move by hand
// (see clock.go). A fresh process serves each test, so the notes start empty every time.
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
	log.Printf("notes API listening on http://%s", srv.Addr)
	log.Fatal(srv.ListenAndServe())
}
