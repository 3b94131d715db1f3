module roadmap/http/status-codes

go 1.22
