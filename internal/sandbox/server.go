package sandbox

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// apiError is a response in StackOne's error shape.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Message }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func validationError(format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, "ValidationError", format, args...)
}

func unprocessable(format string, args ...any) *apiError {
	return errorf(http.StatusUnprocessableEntity, "UnprocessableEntity", format, args...)
}

func notFound(format string, args ...any) *apiError {
	return errorf(http.StatusNotFound, "NotFound", format, args...)
}

type errorBody struct {
	StatusCode int    `json:"statusCode"`
	Message    string `json:"message"`
	Timestamp  string `json:"timestamp"`
	ErrorCode  string `json:"errorCode,omitempty"`
}

func writeError(w http.ResponseWriter, e *apiError) {
	writeJSON(w, e.Status, errorBody{
		StatusCode: e.Status,
		Message:    e.Message,
		Timestamp:  time.Now().UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		ErrorCode:  e.Code,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only the sandbox's own types are marshalled, so this is a bug here.
		status = http.StatusInternalServerError
		b = []byte(`{"statusCode":500,"message":"encoding the response failed","errorCode":"InternalServerError"}`)
	}
	writeRaw(w, status, append(b, '\n'))
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// route is a path template and its handler per method. Templates double as
// the keys of Stats, so they are written the way the contract writes them. A
// route may serve no method at all (GET /connector_profiles/{id} in
// published mode): it answers 404 like an unknown route, but its requests
// are still counted under its template.
type route struct {
	template string
	methods  map[string]http.HandlerFunc
}

// profileByIDRoute is where the extension's profile writes live; StackOne
// publishes no GET on it, so the sandbox serves none in either mode.
const profileByIDRoute = "/connector_profiles/{id}"

func (s *Sandbox) routes() []route {
	profiles := map[string]http.HandlerFunc{http.MethodGet: s.listProfiles}
	profileByID := map[string]http.HandlerFunc{}
	if s.opts.API == APIExtended {
		profiles[http.MethodPost] = s.createProfile
		profileByID[http.MethodPatch] = s.updateProfile
		profileByID[http.MethodDelete] = s.deleteProfile
		// The extension advertises its writes (RFC 9110 OPTIONS, safe):
		// a client can tell, without side effects, that it takes them.
		profiles[http.MethodOptions] = func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Allow", "GET, HEAD, POST")
			w.WriteHeader(http.StatusNoContent)
		}
	}
	type handlers = map[string]http.HandlerFunc
	get := func(h http.HandlerFunc) handlers { return handlers{http.MethodGet: h} }
	post := func(h http.HandlerFunc) handlers { return handlers{http.MethodPost: h} }
	return []route{
		{"/connector_profiles", profiles},
		{profileByIDRoute, profileByID},
		{"/connector_profiles/{id}/versions", get(s.listVersions)},
		{"/connector_profiles/{id}/pinned_version", handlers{
			http.MethodGet: s.getPinnedVersion, http.MethodPut: s.putPinnedVersion, http.MethodDelete: s.deletePinnedVersion,
		}},
		{"/auth_configs", get(s.listProfiles)}, // deprecated alias of the profile list
		{"/actions", get(s.listActions)},
		{"/actions/search", post(s.searchActions)},
		{"/connectors/meta", get(s.listConnectorsMeta)},
		{"/connectors/meta/{provider}", get(s.getConnectorMeta)},
		{"/connect_sessions", post(s.createConnectSession)},
		{"/connect_sessions/authenticate", post(s.authenticateConnectSession)},
		{"/connect_sessions/{id}", get(s.getConnectSession)},
		{"/accounts", get(s.listAccounts)},
		{"/accounts/{id}", handlers{http.MethodGet: s.getAccount, http.MethodPatch: s.updateAccount, http.MethodDelete: s.deleteAccount}},
		{"/accounts/{id}/meta", get(s.getAccountMeta)},
		// Browser endpoints (see isBrowserRoute): no API key, HTML answers.
		{browserConnectRoute, get(s.connectStart)},
		{browserCallbackRoute, get(s.connectCallback)},
		{hubRoute, get(s.hubSelect)},
		{"/admin/stats", get(s.adminStats)},
		{"/admin/reset", post(s.adminReset)},
		{dashboardProfilesRoute, post(s.createProfile)},
		{dashboardProfileRoute, handlers{http.MethodPatch: s.updateProfile, http.MethodDelete: s.deleteProfile}},
	}
}

// The dashboard stand-in: how a person creates and edits profiles in
// StackOne's dashboard, served in both modes.
const (
	dashboardProfilesRoute = "/admin/connector_profiles"
	dashboardProfileRoute  = "/admin/connector_profiles/{id}"
)

// match finds the route for r's path and stores its path values on r.
func (s *Sandbox) match(r *http.Request) *route {
	path := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
	for i := range s.apiRoutes {
		rt := &s.apiRoutes[i]
		tmpl := strings.Split(strings.TrimPrefix(rt.template, "/"), "/")
		if len(tmpl) != len(path) {
			continue
		}
		values := map[string]string{}
		ok := true
		for j, seg := range tmpl {
			if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
				if path[j] == "" {
					ok = false
					break
				}
				values[seg[1:len(seg)-1]] = path[j]
			} else if seg != path[j] {
				ok = false
				break
			}
		}
		if ok {
			for k, v := range values {
				r.SetPathValue(k, v)
			}
			return rt
		}
	}
	return nil
}

type faultKind int

const (
	faultNone     faultKind = iota
	faultError              // 500 or 503 before doing anything
	faultThrottle           // 429 with Retry-After: 1
	faultDrop               // do the work, then close the connection unanswered
)

func (s *Sandbox) decideFault() faultKind {
	s.cfgMu.Lock()
	rate, pick := s.faultRate, s.pickFault
	s.cfgMu.Unlock()
	if rate <= 0 || rand.Float64() >= rate {
		return faultNone
	}
	if pick != nil {
		return pick()
	}
	return faultKind(1 + rand.IntN(3))
}

// statusWriter remembers the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// discardWriter takes the response of a request whose connection is going to
// be dropped: the handler runs to completion, its answer goes nowhere.
type discardWriter struct {
	header http.Header
	body   bytes.Buffer
}

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) WriteHeader(int)             {}
func (d *discardWriter) Write(b []byte) (int, error) { return d.body.Write(b) }

func (s *Sandbox) serveAPI(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	w.Header().Set("X-Request-Id", newUUID())
	sw := &statusWriter{ResponseWriter: w}
	rt := s.match(r)
	template := "*"
	if rt != nil {
		template = rt.template
	}
	dropped := false
	defer func() {
		status := strconv.Itoa(sw.status)
		if dropped {
			status = "dropped"
		}
		s.logf("%s %s %s %s", r.Method, template, status, time.Since(start).Round(time.Microsecond))
	}()

	if r.URL.Path == "/admin" || strings.HasPrefix(r.URL.Path, "/admin/") {
		s.serveAdmin(sw, r, rt)
		return
	}

	s.count(r.Method + " " + template)
	if s.isDown() {
		writeError(sw, errorf(http.StatusServiceUnavailable, "ServiceUnavailable", "service unavailable (simulated outage)"))
		return
	}
	if rt != nil && isBrowserRoute(rt.template) {
		s.serveBrowser(sw, r, rt)
		return
	}
	user, password, ok := r.BasicAuth()
	if !ok || password != "" || subtle.ConstantTimeCompare([]byte(user), []byte(s.opts.APIKey)) != 1 {
		sw.Header().Set("WWW-Authenticate", `Basic realm="StackOne"`)
		writeError(sw, errorf(http.StatusUnauthorized, "Unauthorized", "invalid or missing API key: use HTTP Basic auth with the API key as username and an empty password"))
		return
	}
	if r.Header.Get("User-Agent") == "" {
		writeError(sw, errorf(http.StatusForbidden, "Forbidden", "requests without a User-Agent header are refused"))
		return
	}
	if ok, retryAfter := s.limiter.allow(user); !ok {
		sw.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		writeError(sw, errorf(http.StatusTooManyRequests, "TooManyRequests", "rate limit exceeded: retry after %d s", retryAfter))
		return
	}

	fault := s.decideFault()
	switch fault {
	case faultError:
		if rand.IntN(2) == 0 {
			writeError(sw, errorf(http.StatusInternalServerError, "InternalServerError", "internal server error (injected fault)"))
		} else {
			writeError(sw, errorf(http.StatusServiceUnavailable, "ServiceUnavailable", "service unavailable (injected fault)"))
		}
		return
	case faultThrottle:
		sw.Header().Set("Retry-After", "1")
		writeError(sw, errorf(http.StatusTooManyRequests, "TooManyRequests", "rate limit exceeded (injected fault)"))
		return
	}

	h, aerr := s.handlerFor(rt, r)
	if aerr != nil {
		writeError(sw, aerr)
		return
	}
	if fault == faultDrop {
		h(&discardWriter{header: http.Header{}}, r)
		dropped = true
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			// Not hijackable (HTTP/2): aborting the handler resets the stream,
			// which the client sees the same way.
			panic(http.ErrAbortHandler)
		}
		_ = conn.Close()
		return
	}
	h(sw, r)
}

// handlerFor returns rt's handler for r's method. An unknown path, and a
// method a known path does not serve, answer 404 "Cannot METHOD path" without
// an errorCode, the way StackOne's router does (it never answers 405).
func (s *Sandbox) handlerFor(rt *route, r *http.Request) (http.HandlerFunc, *apiError) {
	var h http.HandlerFunc
	if rt != nil {
		h = rt.methods[r.Method]
	}
	if h == nil {
		return nil, errorf(http.StatusNotFound, "", "Cannot %s %s", r.Method, r.URL.Path)
	}
	return h, nil
}

func allowed(rt *route) string {
	var ms []string
	for m := range rt.methods {
		ms = append(ms, m)
	}
	slices.Sort(ms)
	return strings.Join(ms, ", ")
}

// serveAdmin handles /admin/*: bearer auth, and none of the outage, fault or
// rate-limit machinery, so that a test can always observe and reset the
// sandbox. Only the dashboard stand-in is counted (see Stats).
func (s *Sandbox) serveAdmin(w http.ResponseWriter, r *http.Request, rt *route) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare([]byte(token), []byte(s.opts.AdminToken)) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="sandbox-admin"`)
		writeError(w, errorf(http.StatusUnauthorized, "Unauthorized", "admin endpoints need Authorization: Bearer <SANDBOX_ADMIN_TOKEN>"))
		return
	}
	if rt != nil && (rt.template == dashboardProfilesRoute || rt.template == dashboardProfileRoute) {
		s.count(r.Method + " " + rt.template)
	}
	h, aerr := s.handlerFor(rt, r)
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	h(w, r)
}

func (s *Sandbox) adminStats(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Stats())
}

func (s *Sandbox) adminReset(w http.ResponseWriter, r *http.Request) {
	s.Reset()
	w.WriteHeader(http.StatusNoContent)
}

// logAuthz logs authorization-server requests by path only: queries carry
// codes, states and challenges.
func (s *Sandbox) logAuthz(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		s.logf("authz %s %s %d %s", r.Method, r.URL.Path, sw.status, time.Since(start).Round(time.Microsecond))
	})
}

// page is the list envelope of every paginated endpoint.
type page struct {
	Data any     `json:"data"`
	Next *string `json:"next"`
}

const (
	defaultPageSize = 25
	maxPageSize     = 100
)

func pageSize(r *http.Request) (int, *apiError) {
	v := r.URL.Query().Get("page_size")
	if v == "" {
		return defaultPageSize, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPageSize {
		return 0, validationError("page_size must be an integer from 1 to %d", maxPageSize)
	}
	return n, nil
}

// pageNumbers reads page (from 1, default 1) and page_size (from 1, default
// 25; larger asks are answered with maxPageSize items) of the published
// page-numbered lists: connector profiles and accounts.
func pageNumbers(r *http.Request) (page, size int, aerr *apiError) {
	q := r.URL.Query()
	page, size = 1, defaultPageSize
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, 0, validationError("page must be an integer from 1, not %q", v)
		}
		page = n
	}
	if v := q.Get("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, 0, validationError("page_size must be an integer from 1, not %q", v)
		}
		size = min(n, maxPageSize)
	}
	return page, size, nil
}

// pageBounds is the slice [lo, hi) of n items that page number page of size
// items holds.
func pageBounds(page, size, n int) (lo, hi int) {
	if page-1 > n/size { // past the end; also keeps (page-1)*size from overflowing
		return n, n
	}
	lo = (page - 1) * size
	return lo, min(lo+size, n)
}

// Cursors are opaque to clients; inside they name the list and a position,
// so a cursor from one list is refused by another.
func encodeCursor(kind string, pos uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + strconv.FormatUint(pos, 10)))
}

func decodeCursor(r *http.Request, kind string) (uint64, *apiError) {
	v := r.URL.Query().Get("next")
	if v == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err == nil {
		if rest, ok := strings.CutPrefix(string(b), kind+":"); ok {
			if n, err := strconv.ParseUint(rest, 10, 64); err == nil {
				return n, nil
			}
		}
	}
	return 0, validationError("next is not a valid cursor for this list")
}

func (s *Sandbox) listActions(w http.ResponseWriter, r *http.Request) {
	size, aerr := pageSize(r)
	if aerr == nil {
		var offset uint64
		offset, aerr = decodeCursor(r, "actions")
		if aerr == nil {
			var q actionsQuery
			if q, aerr = readActionsQuery(r); aerr == nil {
				writeJSON(w, http.StatusOK, actionsPage(s.actionsItems(q), size, offset))
				return
			}
		}
	}
	writeError(w, aerr)
}

// actionsPage is the page of items from offset on, with the cursor of the
// next page.
func actionsPage(items []actionsMetaJSON, size int, offset uint64) page {
	data := []actionsMetaJSON{}
	var next *string
	for i := offset; i < uint64(len(items)); i++ {
		if len(data) == size {
			cur := encodeCursor("actions", i)
			next = &cur
			break
		}
		data = append(data, items[i])
	}
	return page{Data: data, Next: next}
}
