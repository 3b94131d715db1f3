module roadmap/http/middleware

go 1.22
