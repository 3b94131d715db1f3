module roadmap/core/slugs

go 1.22
