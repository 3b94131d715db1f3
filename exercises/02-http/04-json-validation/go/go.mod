module roadmap/http/json-validation

go 1.22
