package linkcheck_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"samband/harvest/linkcheck"
)

// Check asks one URL whether it answers. The test server listens on
// 127.0.0.1, which the checker refuses unless AllowPrivate is set.
func ExampleChecker_Check() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/befolkning.csv" {
			w.Write([]byte("kommune,folketall\n"))
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	ctx := context.Background()

	lc := linkcheck.New(nil, nil, linkcheck.Options{AllowPrivate: true, PerHostInterval: time.Millisecond})
	st, result := lc.Check(ctx, srv.URL+"/befolkning.csv")
	fmt.Println(result, st.Status, st.Answered)
	st, result = lc.Check(ctx, srv.URL+"/gone.csv")
	fmt.Println(result, st.Status, st.Error)
	_, result = lc.Check(ctx, "ftp://ftp.example.org/befolkning.csv")
	fmt.Println(result)

	strict := linkcheck.New(nil, nil, linkcheck.Options{})
	_, result = strict.Check(ctx, srv.URL+"/befolkning.csv")
	fmt.Println(result)
	// Output:
	// answered 200 true
	// http_error 404 HEAD 404 Not Found
	// invalid
	// refused
}
