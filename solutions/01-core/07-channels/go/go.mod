module roadmap/core/channels

go 1.22
