module roadmap/http/methods

go 1.22
