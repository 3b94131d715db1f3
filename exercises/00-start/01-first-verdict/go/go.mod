module roadmap/start/firstverdict

go 1.26
