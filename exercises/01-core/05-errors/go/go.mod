module roadmap/core/errors

go 1.22
