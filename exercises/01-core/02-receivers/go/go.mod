module roadmap/core/receivers

go 1.22
