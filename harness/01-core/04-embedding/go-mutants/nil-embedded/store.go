// Mutant: NewAuditStore returns &AuditStore{}: the embedded *MapStore is nil, and every promoted method panics on it.
//
// Package embedding adds behaviour to a key-value store by embedding it: the outer
// type gets the inner one's methods for free and redefines only what it changes.
package embedding

import (
	"errors"
	"slices"
)

var (
	// ErrNotFound is returned by Rename for a key that is not stored.
	ErrNotFound = errors.New("store: key not found")
	// ErrReadOnly is returned by the writes of a ReadOnly store.
	ErrReadOnly = errors.New("store: read-only")
)

// Store is a key-value store.
type Store interface {
	Get(key string) (string, bool)
	Set(key, value string) error
	Delete(key string) error
	Keys() []string // sorted
}

// MapStore is a Store in a map. It is given: you do not need to change it.
type MapStore struct {
	m map[string]string
}

// NewMapStore returns an empty MapStore.
func NewMapStore() *MapStore { return &MapStore{m: map[string]string{}} }

func (s *MapStore) Get(key string) (string, bool) {
	v, ok := s.m[key]
	return v, ok
}

func (s *MapStore) Set(key, value string) error {
	s.m[key] = value
	return nil
}

func (s *MapStore) Delete(key string) error {
	delete(s.m, key)
	return nil
}

func (s *MapStore) Keys() []string {
	keys := make([]string, 0, len(s.m))
	for k := range s.m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Rename moves the value of oldKey to newKey with a Get, a Set and a Delete.
func (s *MapStore) Rename(oldKey, newKey string) error {
	v, ok := s.Get(oldKey)
	if !ok {
		return ErrNotFound
	}
	if err := s.Set(newKey, v); err != nil {
		return err
	}
	return s.Delete(oldKey)
}

// Stats counts the calls a StatsStore has seen.
type Stats struct {
	Gets, Hits, Misses, Sets int
}

// StatsStore counts the Gets and Sets of the Store it embeds; Delete and Keys are
// the inner Store's, promoted.
type StatsStore struct {
	Store
	stats Stats
}

// NewStatsStore wraps inner.
func NewStatsStore(inner Store) *StatsStore {
	return &StatsStore{Store: inner}
}

// Get counts the call and whether it found a value.
func (s *StatsStore) Get(key string) (string, bool) {
	// s.Store.Get is the inner method; s.Get would be this one again.
	v, ok := s.Store.Get(key)
	s.stats.Gets++
	if ok {
		s.stats.Hits++
	} else {
		s.stats.Misses++
	}
	return v, ok
}

// Set counts the call.
func (s *StatsStore) Set(key, value string) error {
	s.stats.Sets++
	return s.Store.Set(key, value)
}

// Stats returns the counts so far.
func (s *StatsStore) Stats() Stats { return s.stats }

// ReadOnly is a Store whose writes are refused; Get and Keys are the inner Store's.
type ReadOnly struct {
	Store
}

// Set refuses.
func (ReadOnly) Set(key, value string) error { return ErrReadOnly }

// Delete refuses: without it, the inner Store's Delete would be promoted.
func (ReadOnly) Delete(key string) error { return ErrReadOnly }

// AuditStore is a MapStore that logs its writes.
type AuditStore struct {
	*MapStore
	Log []string
}

// NewAuditStore returns an empty AuditStore.
func NewAuditStore() *AuditStore {
	return &AuditStore{}
}

// Set logs "set <key>" and stores.
func (a *AuditStore) Set(key, value string) error {
	a.Log = append(a.Log, "set "+key)
	return a.MapStore.Set(key, value)
}

// Delete logs "delete <key>" and deletes.
func (a *AuditStore) Delete(key string) error {
	a.Log = append(a.Log, "delete "+key)
	return a.MapStore.Delete(key)
}

// Rename is redefined: the promoted MapStore.Rename would call MapStore's own Set
// and Delete, never these, because embedding is not inheritance.
func (a *AuditStore) Rename(oldKey, newKey string) error {
	v, ok := a.Get(oldKey)
	if !ok {
		return ErrNotFound
	}
	if err := a.Set(newKey, v); err != nil {
		return err
	}
	return a.Delete(oldKey)
}
