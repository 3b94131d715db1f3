module roadmap/http/notes-api

go 1.25.0
