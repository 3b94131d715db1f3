module roadmap/http/router

go 1.22
