package stackone

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
)

// profileSnapshots holds one list of connector profiles per connector key
// ("" for every connector), read once and shared by every caller of one
// Client: a refresh of N profiles costs the list's pages, not N requests.
// Writes through the Client update the lists it holds, so a later read in
// the same process sees them.
type profileSnapshots struct {
	client *Client

	mu      sync.Mutex // guards entries and each entry's items; never held across a request
	entries map[string]*snapshotEntry
	// last holds the ids of the last successful read of each key, in
	// order and without the Client's own ones, to tell whether the next
	// read saw the list hold still. Ids, not a print of them: both reads
	// are filtered with the sets as they stand when they are compared, so
	// a profile the Client creates or deletes after a read is left out of
	// both (a print made at the earlier read kept it, and the next read
	// looked moved). One id list per key: the strings are the profiles'
	// own, so it costs a slice header per profile read.
	last map[string][]string
	// created holds the ids the Client created, deleted the ids it
	// deleted, deleting the ids it has sent a delete for: the Client's own
	// writes are not the list moving, and a profile it deleted needs no
	// confirming read to be called gone. They only grow.
	created  map[string]bool
	deleted  map[string]bool
	deleting map[string]bool
}

// snapshotEntry is one key's read: done closes when it has ended.
type snapshotEntry struct {
	done  chan struct{}
	items []ConnectorProfile
	// index maps each id to its position in items; built when first
	// needed, dropped whenever items change.
	index map[string]int
	err   error
	// pending are the Client's writes made while the read was under way:
	// the read may or may not have seen them, so they are applied to what
	// it returns (each is idempotent).
	pending []func([]ConnectorProfile) []ConnectorProfile
	// steady is true for a read that found the same ids, in the same
	// order, as the read of the same list before it (the Client's own
	// writes aside): the list held still, so a profile missing from it is
	// missing, not shifted between two pages while they were read.
	steady bool
}

// errReadInterrupted marks a read that ended because its caller's context
// did; callers waiting for it read again.
var errReadInterrupted = errors.New("profile list read interrupted")

// get returns a copy of key's list, reading it if no read has been made or
// is under way.
func (s *profileSnapshots) get(ctx context.Context, key string) ([]ConnectorProfile, error) {
	var out []ConnectorProfile
	err := s.view(ctx, key, func(e *snapshotEntry) { out = slices.Clone(e.items) })
	return out, err
}

// find returns a copy of profile id from key's list, reading the list as get
// does. It copies one profile, not the list: a refresh of N profiles calls it
// N times, and copying the whole list each time cost O(N²) (5% of the
// provider's CPU in a 1000-profile plan, and growing with N).
func (s *profileSnapshots) find(ctx context.Context, key, id string) (p *ConnectorProfile, steady bool, read *snapshotEntry, err error) {
	err = s.view(ctx, key, func(e *snapshotEntry) {
		read, steady = e, e.steady
		if e.index == nil {
			e.index = make(map[string]int, len(e.items))
			for i := range e.items {
				e.index[e.items[i].ID] = i
			}
		}
		if i, ok := e.index[id]; ok {
			found := e.items[i]
			p = &found
		}
	})
	return p, steady, read, err
}

// reread drops the list read (if it is still key's) so that the next read
// of key reads it again, as a confirming read. A paged list can miss a
// profile that exists: one made and another deleted between two pages
// shift it from a page not yet read onto one already read, with the total
// unchanged. Callers that miss at the same time share one confirming read.
func (s *profileSnapshots) reread(key string, read *snapshotEntry) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.entries[key] == read {
		delete(s.entries, key)
	}
}

// deletedByClient reports whether the Client deleted id itself.
func (s *profileSnapshots) deletedByClient(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deleted[id]
}

// foldMatch returns an id of read that equals id but for letter case.
func (s *profileSnapshots) foldMatch(read *snapshotEntry, id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range read.items {
		if other := read.items[i].ID; other != id && strings.EqualFold(other, id) {
			return other, true
		}
	}
	return "", false
}

// listed returns key's list as read (reading it when no read has been
// made): the list a create is checked against. It keeps the Client's own
// later writes, never a later read.
func (s *profileSnapshots) listed(ctx context.Context, key string) (*snapshotEntry, error) {
	var read *snapshotEntry
	err := s.view(ctx, key, func(e *snapshotEntry) { read = e })
	return read, err
}

// holds reports whether read lists id.
func (s *profileSnapshots) holds(read *snapshotEntry, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.ContainsFunc(read.items, func(p ConnectorProfile) bool { return p.ID == id })
}

// markDeleting records an id the Client is deleting (the delete may be
// committed before its answer arrives, or its answer lost).
func (s *profileSnapshots) markDeleting(id string) {
	s.mu.Lock()
	s.deleting[id] = true
	s.mu.Unlock()
}

// markCreated records an id the Client created.
func (s *profileSnapshots) markCreated(id string) {
	s.mu.Lock()
	s.created[id] = true
	s.mu.Unlock()
}

// own reports whether the Client created id or deleted it (or sent a
// delete for it); called with s.mu held.
func (s *profileSnapshots) own(id string) bool {
	return s.created[id] || s.deleted[id] || s.deleting[id]
}

// ids returns the ids of items, in order, without the Client's own; called
// with s.mu held.
func (s *profileSnapshots) ids(items []ConnectorProfile) []string {
	out := make([]string, 0, len(items))
	for i := range items {
		if id := items[i].ID; !s.own(id) {
			out = append(out, id)
		}
	}
	return out
}

// heldStill reports whether prev and next hold the same ids in the same
// order, leaving out the Client's own ones as the sets stand now (an id
// that joined them since prev was kept is left out of prev too); called
// with s.mu held.
func (s *profileSnapshots) heldStill(prev, next []string) bool {
	i, j := 0, 0
	for {
		for i < len(prev) && s.own(prev[i]) {
			i++
		}
		for j < len(next) && s.own(next[j]) {
			j++
		}
		if i == len(prev) || j == len(next) {
			return i == len(prev) && j == len(next)
		}
		if prev[i] != next[j] {
			return false
		}
		i++
		j++
	}
}

// view calls f, with s.mu held, on the entry of key's list once it has been
// read successfully: the entry this call read or waited for, which holds
// the list even if another caller has meanwhile started reading it again.
func (s *profileSnapshots) view(ctx context.Context, key string, f func(*snapshotEntry)) error {
	for {
		s.mu.Lock()
		entry, found := s.entries[key]
		if !found {
			entry = &snapshotEntry{done: make(chan struct{})}
			s.entries[key] = entry
		}
		s.mu.Unlock()

		if found {
			select {
			case <-entry.done:
			case <-ctx.Done():
				return ctx.Err()
			}
			if errors.Is(entry.err, errReadInterrupted) {
				continue // the read we waited for was its caller's to lose: try our own
			}
			if entry.err != nil {
				return entry.err
			}
			s.mu.Lock()
			f(entry)
			s.mu.Unlock()
			return nil
		}

		items, onePage, err := s.client.listProfiles(ctx, ListConnectorProfilesOptions{ConnectorKey: key})
		if err != nil && ctx.Err() != nil {
			s.mu.Lock()
			if s.entries[key] == entry {
				delete(s.entries, key)
			}
			s.mu.Unlock()
			entry.err = errReadInterrupted
			close(entry.done)
			return err
		}
		// A failed read is remembered: one failing resource already fails
		// the plan, and each of 500 others running the whole retry ladder
		// again would keep Terraform busy for minutes before it says so.
		s.mu.Lock()
		if err == nil {
			ids := s.ids(items)
			prev, seen := s.last[key]
			// One page is one answer: nothing can shift within it.
			entry.steady = onePage || seen && s.heldStill(prev, ids)
			s.last[key] = ids
			for _, apply := range entry.pending {
				items = apply(items)
			}
		}
		entry.items, entry.index, entry.err, entry.pending = items, nil, err, nil
		if err == nil {
			f(entry)
		}
		// Closed before unlocking, so a write recorded from now on (apply)
		// changes the items instead of waiting in pending for a read that
		// has already ended.
		close(entry.done)
		s.mu.Unlock()
		return err
	}
}

// hasProfile reports whether id is in items (a copy get returned). Callers
// search the list they were given rather than the shared entry, which
// another caller may have replaced with a read under way in the meantime.
func hasProfile(items []ConnectorProfile, id string) bool {
	return slices.ContainsFunc(items, func(p ConnectorProfile) bool { return p.ID == id })
}

// lookup finds id in the lists already read (never reading one).
func (s *profileSnapshots) lookup(id string) (ConnectorProfile, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, entry := range s.entries {
		if !isClosed(entry.done) || entry.err != nil {
			continue
		}
		if i := slices.IndexFunc(entry.items, func(p ConnectorProfile) bool { return p.ID == id }); i >= 0 {
			return entry.items[i], true
		}
	}
	return ConnectorProfile{}, false
}

// update records a profile the Client wrote in every list it belongs to.
func (s *profileSnapshots) update(p *ConnectorProfile) {
	written := *p
	s.apply(func(key string, items []ConnectorProfile) []ConnectorProfile {
		i := slices.IndexFunc(items, func(q ConnectorProfile) bool { return q.ID == written.ID })
		belongs := key == "" || key == written.ConnectorKey
		switch {
		case i >= 0 && belongs:
			items[i] = written
		case i >= 0:
			items = slices.Delete(items, i, i+1)
		case belongs:
			items = append(items, written)
		}
		return items
	})
}

// remove drops a profile the Client deleted from every list.
func (s *profileSnapshots) remove(id string) {
	s.mu.Lock()
	s.deleted[id] = true
	s.mu.Unlock()
	s.apply(func(_ string, items []ConnectorProfile) []ConnectorProfile {
		return slices.DeleteFunc(items, func(q ConnectorProfile) bool { return q.ID == id })
	})
}

// apply changes every list by change: at once for a list that was read, when
// the read ends for one under way; a list whose read failed is forgotten, so
// the next get reads it again.
func (s *profileSnapshots) apply(change func(key string, items []ConnectorProfile) []ConnectorProfile) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for key, entry := range s.entries {
		switch {
		case !isClosed(entry.done):
			entry.pending = append(entry.pending, func(items []ConnectorProfile) []ConnectorProfile { return change(key, items) })
		case entry.err != nil:
			delete(s.entries, key)
		default:
			entry.items, entry.index = change(key, entry.items), nil
		}
	}
}

// forget drops key's list (once any read under way has ended), so the next
// get reads it again.
func (s *profileSnapshots) forget(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if entry, ok := s.entries[key]; ok && isClosed(entry.done) {
		delete(s.entries, key)
	}
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
