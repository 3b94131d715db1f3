module roadmap/core/values

go 1.22
