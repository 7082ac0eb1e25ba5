package stackone

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Bounds on every list, so that a broken server (pages that never end, a
// total that keeps growing, cursors that never repeat) ends in an error
// that names the endpoint instead of eating memory and time.
const (
	// maxPageSize is the largest page the client asks for (and the largest
	// the sandbox serves); a server that serves less answers shorter pages.
	maxPageSize = 100
	// maxListItems bounds the items one list may hold.
	maxListItems = 100_000
	// maxPages bounds the pages one list may take.
	maxPages = 2_000
	// maxListBytes bounds the bytes of all the pages of one list together
	// (each answer is also bounded on its own by maxResponseBytes).
	maxListBytes = 64 << 20
)

// maxListDuration bounds the time one list may take, on top of the
// caller's context (a var so that tests can shorten it).
var maxListDuration = 10 * time.Minute

// listRun reads the pages of one list and holds the bounds every list
// shares: pages, bytes and time.
type listRun struct {
	c      *Client
	route  string
	ctx    context.Context // the caller's context with the time bound
	parent context.Context // the caller's own context
	cancel context.CancelFunc
	pages  int
	bytes  int
	items  int
}

func newListRun(ctx context.Context, c *Client, route string) *listRun {
	lctx, cancel := context.WithTimeout(ctx, maxListDuration)
	return &listRun{c: c, route: route, ctx: lctx, parent: ctx, cancel: cancel}
}

// page reads one more page into out, within the bounds.
func (l *listRun) page(q url.Values, out any) error {
	if l.pages >= maxPages {
		return fmt.Errorf("GET %s: gave up after %d pages (%d items) without reaching the end of the list: the server's pagination looks broken", l.route, maxPages, l.items)
	}
	l.pages++
	var n int
	err := l.c.do(l.ctx, &request{method: http.MethodGet, route: l.route, path: l.route, query: q, bytesRead: &n}, out)
	l.bytes += n
	if err != nil {
		if errors.Is(l.ctx.Err(), context.DeadlineExceeded) && l.parent.Err() == nil {
			return fmt.Errorf("GET %s: the list did not end within %s (%d pages, %d items read): the server is too slow or its pagination looks broken", l.route, maxListDuration, l.pages-1, l.items)
		}
		return err
	}
	if l.bytes > maxListBytes {
		return fmt.Errorf("GET %s: the pages of the list add up to more than %d MiB after %d pages (%d items); the provider reads at most that much", l.route, maxListBytes>>20, l.pages, l.items)
	}
	return nil
}

// add counts n more items and checks the bound on items.
func (l *listRun) add(n int) error {
	l.items += n
	if l.items > maxListItems {
		return fmt.Errorf("GET %s: the list holds more than %d items; the provider reads at most that many", l.route, maxListItems)
	}
	return nil
}

// numberedPage is one page of a list paged by number, as StackOne publishes
// GET /connector_profiles: {data, page, page_size, total}.
type numberedPage[T any] struct {
	Data     []T  `json:"data"`
	Page     *int `json:"page"`
	PageSize *int `json:"page_size"`
	Total    *int `json:"total"`
}

// errInconsistentList marks a list whose pages disagree with each other
// (the total changed, or the list moved while it was read); reading it
// again usually gives a consistent one.
type errInconsistentList struct{ msg string }

func (e *errInconsistentList) Error() string { return e.msg }

// listNumbered reads every page of a {data, page, page_size, total} list:
// page 1, 2, … with the largest page size, until it holds `total` items,
// or, without a total, until an empty page or a page shorter than the page
// size the server says it used.
func listNumbered[T any](ctx context.Context, c *Client, route string, q url.Values) (all []T, pages int, err error) {
	q.Set("page_size", strconv.Itoa(maxPageSize))
	run := newListRun(ctx, c, route)
	defer run.cancel()
	total := -1
	for n := 1; ; n++ {
		q.Set("page", strconv.Itoa(n))
		var p numberedPage[T]
		if err := run.page(q, &p); err != nil {
			return nil, 0, err
		}
		if p.Page != nil && *p.Page != n {
			return nil, 0, fmt.Errorf("GET %s: asked for page %d and the server answered page %d: its pagination does not follow StackOne's (pages counted from 1)", route, n, *p.Page)
		}
		if p.Total != nil {
			switch {
			case *p.Total < 0:
				return nil, 0, fmt.Errorf("GET %s: the server gave a negative total (%d)", route, *p.Total)
			case *p.Total > maxListItems:
				return nil, 0, fmt.Errorf("GET %s: the server says the list holds %d items; the provider reads at most %d", route, *p.Total, maxListItems)
			case total >= 0 && *p.Total != total:
				return nil, 0, &errInconsistentList{fmt.Sprintf("GET %s: the list's total changed from %d to %d while it was read", route, total, *p.Total)}
			}
			total = *p.Total
		}
		all = append(all, p.Data...)
		if err := run.add(len(p.Data)); err != nil {
			return nil, 0, err
		}
		if total >= 0 {
			// The total decides; pages may be shorter than asked (a server
			// with a smaller maximum) without meaning the end.
			switch {
			case len(all) == total:
				return all, n, nil
			case len(all) > total:
				return nil, 0, &errInconsistentList{fmt.Sprintf("GET %s: the pages held %d items but the total says %d", route, len(all), total)}
			case len(p.Data) == 0:
				return nil, 0, &errInconsistentList{fmt.Sprintf("GET %s: the pages ended after %d items but the total says %d", route, len(all), total)}
			}
			continue
		}
		// No total: an empty page ends the list, and so does a page
		// shorter than the page size the server says it used. A short page
		// from a server that does not say its page size may only mean it
		// caps pages below what was asked: read on.
		if len(p.Data) == 0 || p.PageSize != nil && *p.PageSize > 0 && len(p.Data) < *p.PageSize {
			return all, n, nil
		}
	}
}

// listBareArray reads every page of a list published as a bare JSON array
// paged by `page` and `page_size` (GET /accounts), until an empty page: a
// bare array does not say the page size the server used, and a server that
// caps pages below the one asked for answers short pages before the end.
// A page whose items were all on earlier pages means the server ignores
// `page`: an error rather than reading the same page to the bounds.
func listBareArray[T any](ctx context.Context, c *Client, route string, q url.Values, idOf func(T) string) ([]T, error) {
	q.Set("page_size", strconv.Itoa(maxPageSize))
	run := newListRun(ctx, c, route)
	defer run.cancel()
	var all []T
	seen := map[string]bool{}
	for n := 1; ; n++ {
		q.Set("page", strconv.Itoa(n))
		var items []T
		if err := run.page(q, &items); err != nil {
			return nil, err
		}
		if len(items) == 0 {
			return all, nil
		}
		repeated := true
		for _, item := range items {
			if id := idOf(item); !seen[id] {
				seen[id], repeated = true, false
			}
		}
		if repeated && n > 1 {
			return nil, fmt.Errorf("GET %s: page %d holds only items of earlier pages: the server seems to ignore the page parameter, so the provider cannot read the whole list", route, n)
		}
		all = append(all, items...)
		if err := run.add(len(items)); err != nil {
			return nil, err
		}
	}
}

// cursorPage is one page of a cursor-paginated list (GET /actions).
type cursorPage[T any] struct {
	Data []T    `json:"data"`
	Next string `json:"next"` // null and absent decode as ""
}

// listCursor follows `next` until it is null or empty. A cursor seen before
// means the server is looping, which is an error rather than a hang.
func listCursor[T any](ctx context.Context, c *Client, route string, q url.Values) ([]T, error) {
	q.Set("page_size", strconv.Itoa(maxPageSize))
	run := newListRun(ctx, c, route)
	defer run.cancel()
	seen := map[string]bool{}
	var all []T
	for n := 1; ; n++ {
		var p cursorPage[T]
		if err := run.page(q, &p); err != nil {
			return nil, err
		}
		all = append(all, p.Data...)
		if err := run.add(len(p.Data)); err != nil {
			return nil, err
		}
		if p.Next == "" {
			return all, nil
		}
		if seen[p.Next] {
			return nil, fmt.Errorf("GET %s: the server returned the same next cursor twice after %d pages; stopping instead of looping forever", route, n)
		}
		seen[p.Next] = true
		q.Set("next", p.Next)
	}
}
