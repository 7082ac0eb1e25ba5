package sandbox

import (
	"context"
	"net/http"
	"testing"
)

func TestCloseAndShutdown(t *testing.T) {
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close after Shutdown: %v", err)
	}
	for _, u := range []string{s.BaseURL(), s.AuthzURL()} {
		if resp, err := http.Get(u + "/actions"); err == nil {
			resp.Body.Close()
			t.Errorf("%s still answers after Shutdown", u)
		}
	}
	// A taken address is an error, not a panic.
	busy := startSandbox(t, Options{})
	if _, err := Start(Options{Addr: busy.BaseURL()[len("http://"):]}); err == nil {
		t.Error("Start on a taken address succeeded")
	}
}
