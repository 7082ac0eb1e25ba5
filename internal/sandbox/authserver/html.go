package authserver

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
)

// Pages are deliberately plain: they exist for a person clicking through the
// sandbox and for tests that post the form. html/template escapes every value.
var pageTemplates = template.Must(template.New("error").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body>
<h1>{{.Title}}</h1>
<p>Error Code: <code id="error-code">{{.Code}}</code></p>
<p>Description: <span id="error-description">{{.Description}}</span></p>
</body></html>
`))

var loginTemplate = template.Must(template.New("login").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign In</title></head>
<body>
<h1>Sign In</h1>
<p>Sign in to authorize client application <code>{{.ClientID}}</code>.</p>
{{if .Error}}<p role="alert" id="login-error">{{.Error}}</p>{{end}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="tx" value="{{.TxID}}">
<label>Username <input type="text" name="username" value="{{.Username}}" autocomplete="username"></label>
<label>Password <input type="password" name="password" autocomplete="current-password"></label>
<button type="submit">Sign In</button>
</form>
</body></html>
`))

func pageHeaders(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	SetBrowserHeaders(w.Header())
}

// SetBrowserHeaders sets what every page a browser sees gets, here and on
// the sandbox's linking pages: never cached, never framed, never sniffed,
// and no Referer, since their URLs carry transaction ids, link tokens,
// codes and states.
func SetBrowserHeaders(h http.Header) {
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

// renderErrorPage shows an error that must not be redirected to the client.
// Callers pass fixed descriptions, never request input or secrets.
func renderErrorPage(w http.ResponseWriter, status int, code, description string) {
	pageHeaders(w)
	w.WriteHeader(status)
	_ = pageTemplates.Execute(w, struct {
		Title, Code string
		Description template.HTML
	}{
		Title: fmt.Sprintf("%d %s", status, http.StatusText(status)), Code: code,
		Description: template.HTML(textEscaper.Replace(description)),
	})
}

// textEscaper escapes for HTML text content only, leaving quotes readable
// so tools that search the page for Okta's exact wording (which contains
// apostrophes) find it.
var textEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// renderLoginForm shows the sign-in form. The password is never written back.
func renderLoginForm(w http.ResponseWriter, status int, action, txID, clientID, username, errMsg string) {
	pageHeaders(w)
	w.WriteHeader(status)
	_ = loginTemplate.Execute(w, struct{ Action, TxID, ClientID, Username, Error string }{
		Action: action, TxID: txID, ClientID: clientID, Username: username, Error: errMsg,
	})
}
