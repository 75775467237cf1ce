-- wrk script: every request files a new bug (the API key travels in the URL's query).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"product":"Widget","component":"Backend","version":"1.0",' ..
           '"summary":"Benchmark bug","description":"Filed by wrk."}'
