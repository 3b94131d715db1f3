module roadmap/core/interfaces

go 1.22
