module roadmap/core/worker-pool

go 1.25
