module roadmap/core/counter

go 1.26
