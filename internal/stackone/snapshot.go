package stackone

import (
	"context"
	"errors"
	"slices"
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
}

// snapshotEntry is one key's read: done closes when it has ended.
type snapshotEntry struct {
	done  chan struct{}
	items []ConnectorProfile
	err   error
	// pending are the Client's writes made while the read was under way:
	// the read may or may not have seen them, so they are applied to what
	// it returns (each is idempotent).
	pending []func([]ConnectorProfile) []ConnectorProfile
}

// errReadInterrupted marks a read that ended because its caller's context
// did; callers waiting for it read again.
var errReadInterrupted = errors.New("profile list read interrupted")

// get returns key's list, reading it if no read has been made or is under way.
func (s *profileSnapshots) get(ctx context.Context, key string) ([]ConnectorProfile, error) {
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
				return nil, ctx.Err()
			}
			if errors.Is(entry.err, errReadInterrupted) {
				continue // the read we waited for was its caller's to lose: try our own
			}
			if entry.err != nil {
				return nil, entry.err
			}
			s.mu.Lock()
			out := slices.Clone(entry.items)
			s.mu.Unlock()
			return out, nil
		}

		items, err := s.client.ListConnectorProfiles(ctx, ListConnectorProfilesOptions{ConnectorKey: key})
		if err != nil && ctx.Err() != nil {
			s.mu.Lock()
			if s.entries[key] == entry {
				delete(s.entries, key)
			}
			s.mu.Unlock()
			entry.err = errReadInterrupted
			close(entry.done)
			return nil, err
		}
		// A failed read is remembered: one failing resource already fails
		// the plan, and each of 500 others running the whole retry ladder
		// again would keep Terraform busy for minutes before it says so.
		s.mu.Lock()
		if err == nil {
			for _, apply := range entry.pending {
				items = apply(items)
			}
		}
		entry.items, entry.err, entry.pending = items, err, nil
		out := slices.Clone(items)
		s.mu.Unlock()
		close(entry.done)
		if err != nil {
			return nil, err
		}
		return out, nil
	}
}

// findProfile finds id in items (a copy get returned). Callers search the
// list they were given rather than the shared entry, which another caller
// may have replaced with a read under way in the meantime.
func findProfile(items []ConnectorProfile, id string) (*ConnectorProfile, bool) {
	for i := range items {
		if items[i].ID == id {
			p := items[i]
			return &p, true
		}
	}
	return nil, false
}

// lookup finds id in the lists already read (never reading one).
func (s *profileSnapshots) lookup(id string) (ConnectorProfile, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, entry := range s.entries {
		if !isClosed(entry.done) || entry.err != nil {
			continue
		}
		if p, ok := findProfile(entry.items, id); ok {
			return *p, true
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
			entry.items = change(key, entry.items)
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
