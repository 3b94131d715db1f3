package embedding

import (
	"errors"
	"reflect"
	"testing"
)

// seeded is a MapStore holding a=1 and b=2.
func seeded() *MapStore {
	s := NewMapStore()
	_ = s.Set("a", "1")
	_ = s.Set("b", "2")
	return s
}

// constStore is a Store the package never heard of: every key holds "x".
type constStore struct{ deleted []string }

func (c *constStore) Get(key string) (string, bool) { return "x", true }
func (c *constStore) Set(key, value string) error   { return nil }
func (c *constStore) Delete(key string) error       { c.deleted = append(c.deleted, key); return nil }
func (c *constStore) Keys() []string                { return []string{"any"} }

func newStats(t *testing.T, inner Store) *StatsStore {
	t.Helper()
	s := NewStatsStore(inner)
	if s == nil || s.Store != inner {
		t.Fatalf("NewStatsStore(inner) = %+v, want a *StatsStore whose embedded Store is inner", s)
	}
	return s
}

func TestStatsStore(t *testing.T) {
	t.Run("counts gets, hits, misses and sets", func(t *testing.T) {
		t.Parallel()
		s := newStats(t, seeded())
		_ = s.Set("c", "3")
		s.Get("a")
		s.Get("c")
		s.Get("zzz")
		if got, want := s.Stats(), (Stats{Gets: 3, Hits: 2, Misses: 1, Sets: 1}); got != want {
			t.Errorf("Set(c), Get(a), Get(c), Get(zzz): Stats() = %+v, want %+v: do Get and Set count on the StatsStore itself (pointer receivers)?", got, want)
		}
	})
	t.Run("Get and Set reach the inner store", func(t *testing.T) {
		t.Parallel()
		inner := seeded()
		s := newStats(t, inner)
		if v, ok := s.Get("a"); v != "1" || !ok {
			t.Errorf("Get(a) through the StatsStore = %q, %v, want \"1\", true", v, ok)
		}
		_ = s.Set("c", "3")
		if v, ok := inner.Get("c"); v != "3" || !ok {
			t.Errorf("after Set(c, 3) through the StatsStore the inner Get(c) = %q, %v, want \"3\", true", v, ok)
		}
	})
	t.Run("Delete and Keys are the inner store's, promoted", func(t *testing.T) {
		t.Parallel()
		inner := seeded()
		s := newStats(t, inner)
		if err := s.Delete("a"); err != nil {
			t.Errorf("Delete(a) = %v, want no error", err)
		}
		if got, want := inner.Keys(), []string{"b"}; !reflect.DeepEqual(got, want) {
			t.Errorf("after Delete(a) through the StatsStore the inner Keys() = %v, want %v", got, want)
		}
		if got, want := s.Keys(), []string{"b"}; !reflect.DeepEqual(got, want) {
			t.Errorf("Keys() through the StatsStore = %v, want %v", got, want)
		}
	})
	t.Run("wraps any Store", func(t *testing.T) {
		t.Parallel()
		inner := &constStore{}
		s := newStats(t, inner)
		if v, ok := s.Get("k"); v != "x" || !ok {
			t.Errorf("Get(k) over a Store that holds x everywhere = %q, %v, want \"x\", true", v, ok)
		}
		_ = s.Delete("k")
		if !reflect.DeepEqual(inner.deleted, []string{"k"}) {
			t.Errorf("Delete(k) through the StatsStore reached the inner store with %v, want [k]", inner.deleted)
		}
		if got := s.Stats(); got != (Stats{Gets: 1, Hits: 1}) {
			t.Errorf("after one Get that found a value Stats() = %+v, want {Gets:1 Hits:1 Misses:0 Sets:0}", got)
		}
	})
	t.Run("each StatsStore has its own counts, and they stack", func(t *testing.T) {
		t.Parallel()
		inner := newStats(t, seeded())
		outer := newStats(t, inner)
		outer.Get("a")
		_ = inner.Set("c", "3")
		if got := outer.Stats(); got != (Stats{Gets: 1, Hits: 1}) {
			t.Errorf("outer.Get(a), inner.Set(c, 3): outer.Stats() = %+v, want {Gets:1 Hits:1 Misses:0 Sets:0}", got)
		}
		if got := inner.Stats(); got != (Stats{Gets: 1, Hits: 1, Sets: 1}) {
			t.Errorf("outer.Get(a), inner.Set(c, 3): inner.Stats() = %+v, want {Gets:1 Hits:1 Misses:0 Sets:1}: the outer Get goes through the inner StatsStore", got)
		}
	})
}

func TestReadOnly(t *testing.T) {
	t.Run("a ReadOnly value is a Store", func(t *testing.T) {
		t.Parallel()
		s, ok := any(ReadOnly{Store: seeded()}).(Store)
		if !ok {
			t.Fatalf("ReadOnly{Store: s}.(Store) fails, want a ReadOnly value to be a Store: give its methods value receivers")
		}
		if err := s.Set("a", "changed"); !errors.Is(err, ErrReadOnly) {
			t.Errorf("a ReadOnly used as a Store: Set(a, changed) = %v, want ErrReadOnly", err)
		}
	})
	t.Run("Get and Keys pass through and show no refused write", func(t *testing.T) {
		t.Parallel()
		r := ReadOnly{Store: seeded()}
		_ = r.Set("a", "changed")
		_ = r.Delete("b")
		if v, ok := r.Get("a"); v != "1" || !ok {
			t.Errorf("Get(a) through ReadOnly after a refused Set(a, changed) = %q, %v, want \"1\", true", v, ok)
		}
		if got, want := r.Keys(), []string{"a", "b"}; !reflect.DeepEqual(got, want) {
			t.Errorf("Keys() through ReadOnly after a refused Delete(b) = %v, want %v: a method you do not redefine is the inner store's, promoted", got, want)
		}
	})
	t.Run("Set is refused and does not reach the inner store", func(t *testing.T) {
		t.Parallel()
		inner := seeded()
		r := ReadOnly{Store: inner}
		if err := r.Set("a", "changed"); !errors.Is(err, ErrReadOnly) {
			t.Errorf("Set(a, changed) through ReadOnly = %v, want ErrReadOnly", err)
		}
		if v, _ := inner.Get("a"); v != "1" {
			t.Errorf("after Set(a, changed) through ReadOnly the inner store holds a=%q, want a=\"1\"", v)
		}
	})
	t.Run("Delete is refused and does not reach the inner store", func(t *testing.T) {
		t.Parallel()
		inner := seeded()
		r := ReadOnly{Store: inner}
		if err := r.Delete("a"); !errors.Is(err, ErrReadOnly) {
			t.Errorf("Delete(a) through ReadOnly = %v, want ErrReadOnly: a method you do not redefine is the inner store's, promoted", err)
		}
		if _, ok := inner.Get("a"); !ok {
			t.Errorf("after Delete(a) through ReadOnly the inner store no longer has a, want it kept")
		}
	})
}

func newAudit(t *testing.T) *AuditStore {
	t.Helper()
	a := NewAuditStore()
	if a == nil || a.MapStore == nil {
		t.Fatalf("NewAuditStore() = %+v, want an AuditStore with a new MapStore embedded: the zero value of an embedded pointer is nil, and the promoted methods would panic", a)
	}
	return a
}

func TestAuditStore(t *testing.T) {
	t.Run("logs every Set and Delete", func(t *testing.T) {
		t.Parallel()
		a := newAudit(t)
		_ = a.Set("a", "1")
		_ = a.Set("b", "2")
		_ = a.Delete("a")
		if want := []string{"set a", "set b", "delete a"}; !reflect.DeepEqual(a.Log, want) {
			t.Errorf("Set(a), Set(b), Delete(a): Log = %q, want %q", a.Log, want)
		}
		if got, want := a.Keys(), []string{"b"}; !reflect.DeepEqual(got, want) {
			t.Errorf("Set(a), Set(b), Delete(a): Keys() = %v, want %v", got, want)
		}
	})
	t.Run("Get and Keys are the MapStore's and log nothing", func(t *testing.T) {
		t.Parallel()
		a := newAudit(t)
		_ = a.Set("a", "1")
		if v, ok := a.Get("a"); v != "1" || !ok {
			t.Errorf("Get(a) after Set(a, 1) = %q, %v, want \"1\", true", v, ok)
		}
		a.Keys()
		if want := []string{"set a"}; !reflect.DeepEqual(a.Log, want) {
			t.Errorf("Set(a), Get(a), Keys(): Log = %q, want %q", a.Log, want)
		}
	})
	t.Run("Rename logs the Set and the Delete it makes", func(t *testing.T) {
		t.Parallel()
		a := newAudit(t)
		_ = a.Set("old", "v")
		if err := a.Rename("old", "new"); err != nil {
			t.Fatalf("Rename(old, new) = %v, want no error", err)
		}
		if want := []string{"set old", "set new", "delete old"}; !reflect.DeepEqual(a.Log, want) {
			t.Errorf("Set(old), Rename(old, new): Log = %q, want %q: the promoted MapStore.Rename calls MapStore's Set and Delete, not the AuditStore's", a.Log, want)
		}
		if v, ok := a.Get("new"); v != "v" || !ok {
			t.Errorf("after Rename(old, new) Get(new) = %q, %v, want \"v\", true", v, ok)
		}
	})
	t.Run("Rename of a missing key logs nothing", func(t *testing.T) {
		t.Parallel()
		a := newAudit(t)
		if err := a.Rename("nope", "new"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Rename(nope, new) = %v, want ErrNotFound", err)
		}
		if len(a.Log) != 0 {
			t.Errorf("after a failed Rename Log = %q, want it empty", a.Log)
		}
	})
	t.Run("an *AuditStore is a Store", func(t *testing.T) {
		t.Parallel()
		var s Store = newAudit(t)
		_ = s.Set("k", "v")
		if a := s.(*AuditStore); !reflect.DeepEqual(a.Log, []string{"set k"}) {
			t.Errorf("Set(k) through a Store variable: Log = %q, want [\"set k\"]", a.Log)
		}
	})
}
