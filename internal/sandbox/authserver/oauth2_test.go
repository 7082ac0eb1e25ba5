package authserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// libraryFlow links an account the way a real client built on
// golang.org/x/oauth2 does: AuthCodeURL with an S256 challenge, the login
// form posted by hand (a browser's part), then Exchange with the verifier.
// It returns errors instead of failing so goroutines can use it.
func libraryFlow(ctx context.Context, e *env, conf *oauth2.Config, scopes ...string) (*oauth2.Token, error) {
	verifier := oauth2.GenerateVerifier()
	conf.Scopes = scopes
	state := "st-" + verifier[:8]
	resp, err := e.client.Get(conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)))
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return nil, fmt.Errorf("authorize: status %d", resp.StatusCode)
	}
	loginURL, err := resp.Location()
	if err != nil {
		return nil, err
	}
	resp, err = e.client.PostForm(e.srv.LoginURL(), url.Values{
		"tx": {loginURL.Query().Get("tx")}, "username": {testUser}, "password": {testPassword},
	})
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	cb, err := resp.Location()
	if err != nil {
		return nil, fmt.Errorf("login: status %d: %w", resp.StatusCode, err)
	}
	if cb.Query().Get("state") != state {
		return nil, errors.New("state did not round-trip")
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, e.ts.Client())
	return conf.Exchange(ctx, cb.Query().Get("code"), oauth2.VerifierOption(verifier))
}

func libraryConfig(e *env, style oauth2.AuthStyle) *oauth2.Config {
	md := e.srv.Metadata()
	return &oauth2.Config{
		ClientID:     testClientID,
		ClientSecret: testClientSecret,
		RedirectURL:  testRedirectURI,
		Endpoint:     oauth2.Endpoint{AuthURL: md.AuthorizationEndpoint, TokenURL: md.TokenEndpoint, AuthStyle: style},
	}
}

func TestGolangOAuth2Library(t *testing.T) {
	e := newEnv(t)
	for name, style := range map[string]oauth2.AuthStyle{
		"header": oauth2.AuthStyleInHeader,
		"params": oauth2.AuthStyleInParams,
		"auto":   oauth2.AuthStyleAutoDetect,
	} {
		t.Run(name, func(t *testing.T) {
			conf := libraryConfig(e, style)
			tok, err := libraryFlow(context.Background(), e, conf, "api:data:contact", "offline_access")
			if err != nil {
				t.Fatalf("flow: %v", err)
			}
			if tok.AccessToken == "" || tok.RefreshToken == "" || tok.TokenType != "Bearer" || !tok.Valid() {
				t.Fatalf("token %+v", tok)
			}
			if got := tok.Extra("scope"); got != "api:data:contact offline_access" {
				t.Fatalf("Extra(scope) = %v", got)
			}

			// The library's refresh goes through rotation.
			ctx := context.WithValue(context.Background(), oauth2.HTTPClient, e.ts.Client())
			tok.Expiry = time.Now().Add(-time.Minute) // force a refresh
			fresh, err := conf.TokenSource(ctx, tok).Token()
			if err != nil {
				t.Fatalf("refresh: %v", err)
			}
			if fresh.RefreshToken == tok.RefreshToken || fresh.AccessToken == tok.AccessToken {
				t.Fatal("refresh did not rotate")
			}
			// The old refresh token is spent: the library surfaces invalid_grant.
			_, err = conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
				t.Fatalf("reused refresh token: %v", err)
			}
		})
	}
}

func TestGolangOAuth2LibraryWrongSecret(t *testing.T) {
	e := newEnv(t)
	conf := libraryConfig(e, oauth2.AuthStyleInHeader)
	conf.ClientSecret = "not-the-secret"
	_, err := libraryFlow(context.Background(), e, conf)
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response.StatusCode != http.StatusUnauthorized || re.ErrorCode != "invalid_client" {
		t.Fatalf("err = %v, want 401 invalid_client", err)
	}
	if strings.Contains(err.Error(), testClientSecret) || strings.Contains(err.Error(), "not-the-secret") {
		t.Fatal("error mentions a secret")
	}
}

// Run with -race: many flows at once against one server.
func TestConcurrentFlows(t *testing.T) {
	e := newEnv(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := libraryFlow(context.Background(), e, libraryConfig(e, oauth2.AuthStyleInHeader))
			if err == nil && tok.RefreshToken == "" {
				err = errors.New("no refresh token")
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := e.srv.AuthorizeRequests(); got != n {
		t.Fatalf("AuthorizeRequests = %d, want %d", got, n)
	}
}
