module roadmap/http/idempotency

go 1.22
