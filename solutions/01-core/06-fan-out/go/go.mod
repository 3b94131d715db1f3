module roadmap/core/fan-out

go 1.22
