module roadmap/http/graceful-shutdown

go 1.22
