module roadmap/core/cancellation

go 1.25
