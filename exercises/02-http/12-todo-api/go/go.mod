module roadmap/http/todo-api

go 1.25.0
