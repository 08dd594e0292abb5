package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"path"
	"strings"
	"time"
)

// demoFiles are the bundled demo catalogues and their configuration.
//
//go:embed demo
var demoFiles embed.FS

// demoConfig is the embedded demo configuration (demo/gateway.yaml).
func demoConfig() ([]byte, error) {
	return demoFiles.ReadFile("demo/gateway.yaml")
}

// startDemoServer serves the demo catalogues on a loopback port until ctx
// ends, and returns its base URL (http://127.0.0.1:PORT).
func startDemoServer(ctx context.Context, logger *slog.Logger) (string, error) {
	sub, err := fs.Sub(demoFiles, "demo")
	if err != nil {
		return "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("demo file server: %w", err)
	}
	files := http.FileServerFS(sub)
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Real directories label their documents; these labels are what a
			// careless server would send (brreg.rdf is JSON-LD), and the
			// gateway must find the syntax from the content anyway.
			if ct := mime.TypeByExtension(path.Ext(r.URL.Path)); ct != "" {
				w.Header().Set("Content-Type", ct)
			}
			switch path.Ext(r.URL.Path) {
			case ".ttl":
				w.Header().Set("Content-Type", "text/turtle; charset=utf-8")
			case ".rdf", ".xml":
				w.Header().Set("Content-Type", "application/rdf+xml")
			}
			files.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("demo file server", "err", err)
		}
	}()
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(shutdownCtx)
	}()
	return "http://" + ln.Addr().String(), nil
}

// resolveDemoURLs points every source whose URL starts with "demo:" at the
// demo file server.
func resolveDemoURLs(cfg *Config, base string) {
	for i := range cfg.Sources {
		if rest, ok := strings.CutPrefix(cfg.Sources[i].URL, "demo:"); ok {
			cfg.Sources[i].URL = base + rest
		}
	}
}
