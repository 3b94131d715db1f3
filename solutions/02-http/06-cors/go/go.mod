module roadmap/http/cors

go 1.22
