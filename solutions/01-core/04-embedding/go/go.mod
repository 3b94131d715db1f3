module roadmap/core/embedding

go 1.22
