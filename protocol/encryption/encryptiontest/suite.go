package encryptiontest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/statusnode/statusd/protocol/encryption"
)

// StoreBackend opens stores for StoreSuite. Open returns an empty store;
// Reopen, if set, closes st and returns the same data opened again (a
// process restart), and the suite then checks that commits survive it.
type StoreBackend struct {
	Open   func(t *testing.T) encryption.Store
	Reopen func(t *testing.T, st encryption.Store) encryption.Store
}

// StoreSuite runs the encryption.Store contract against be, one subtest per
// clause: missing records, atomic ordered commits, prefix iteration in key
// order per kind, ownership of returned slices, early stop, and (with
// Reopen) durability.
func StoreSuite(t *testing.T, be StoreBackend) {
	t.Run("NotFound", func(t *testing.T) { suiteNotFound(t, be) })
	t.Run("CommitInOrder", func(t *testing.T) { suiteCommitInOrder(t, be) })
	t.Run("Iterate", func(t *testing.T) { suiteIterate(t, be) })
	t.Run("CallerOwnsSlices", func(t *testing.T) { suiteCallerOwns(t, be) })
	t.Run("IterateStops", func(t *testing.T) { suiteIterateStops(t, be) })
	if be.Reopen != nil {
		t.Run("Durable", func(t *testing.T) { suiteDurable(t, be) })
	}
}

func mustCommit(t *testing.T, st encryption.Store, ops ...encryption.Op) {
	t.Helper()
	if err := st.Commit(ops); err != nil {
		t.Fatal(err)
	}
}

func put(k encryption.Kind, key, value string) encryption.Op {
	return encryption.Op{Kind: k, Key: []byte(key), Value: []byte(value)}
}

func del(k encryption.Kind, key string) encryption.Op {
	return encryption.Op{Kind: k, Key: []byte(key), Delete: true}
}

// wantValue checks Get(k, key): value, or missing when value is "".
func wantValue(t *testing.T, st encryption.Store, k encryption.Kind, key, value string) {
	t.Helper()
	got, err := st.Get(k, []byte(key))
	if value == "" {
		if !errors.Is(err, encryption.ErrNotFound) {
			t.Fatalf("Get(%s, %q) = %q, %v; want ErrNotFound", k, key, got, err)
		}
		return
	}
	if err != nil || string(got) != value {
		t.Fatalf("Get(%s, %q) = %q, %v; want %q", k, key, got, err, value)
	}
}

func list(t *testing.T, st encryption.Store, k encryption.Kind, prefix string) []string {
	t.Helper()
	var out []string
	err := st.Iterate(k, []byte(prefix), func(key, value []byte) error {
		out = append(out, string(key)+"="+string(value))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func suiteNotFound(t *testing.T, be StoreBackend) {
	st := be.Open(t)
	for _, k := range encryption.Kinds() {
		wantValue(t, st, k, "absent", "")
	}
	if got := list(t, st, encryption.KindSession, ""); len(got) != 0 {
		t.Fatalf("empty store iterates %q", got)
	}
}

func suiteCommitInOrder(t *testing.T, be StoreBackend) {
	st := be.Open(t)
	mustCommit(t, st,
		put(encryption.KindSession, "a", "1"),
		put(encryption.KindSession, "b", "2"),
		del(encryption.KindSession, "a"),
		put(encryption.KindSession, "b", "3"),
		del(encryption.KindSession, "c"), // deleting a missing record is no error
	)
	wantValue(t, st, encryption.KindSession, "a", "")
	wantValue(t, st, encryption.KindSession, "b", "3")
	mustCommit(t, st) // an empty commit is no error
	mustCommit(t, st, del(encryption.KindSession, "b"), put(encryption.KindSession, "b", "4"))
	wantValue(t, st, encryption.KindSession, "b", "4")
}

func suiteIterate(t *testing.T, be StoreBackend) {
	st := be.Open(t)
	var ops []encryption.Op
	for _, k := range encryption.Kinds() {
		// Secret and public kinds alike; inserted out of order.
		for _, key := range []string{"b2", "a", "b1", "c", "b"} {
			ops = append(ops, put(k, key, fmt.Sprint(k, "/", key)))
		}
	}
	mustCommit(t, st, ops...)
	for _, k := range encryption.Kinds() {
		want := fmt.Sprint([]string{"b=" + fmt.Sprint(k, "/b"), "b1=" + fmt.Sprint(k, "/b1"), "b2=" + fmt.Sprint(k, "/b2")})
		if got := fmt.Sprint(list(t, st, k, "b")); got != want {
			t.Errorf("Iterate(%s, b) = %s, want %s", k, got, want)
		}
		if got := list(t, st, k, ""); len(got) != 5 || got[0] != "a="+fmt.Sprint(k, "/a") {
			t.Errorf("Iterate(%s, all) = %q", k, got)
		}
		if got := list(t, st, k, "z"); len(got) != 0 {
			t.Errorf("Iterate(%s, z) = %q", k, got)
		}
	}
	// Binary keys, including 0x00 and 0xff bytes, sort bytewise.
	mustCommit(t, st, put(encryption.KindMessageKeyIndex, "\xff\x00", "hi"), put(encryption.KindMessageKeyIndex, "\x00\xff", "lo"))
	got := list(t, st, encryption.KindMessageKeyIndex, "")
	if len(got) != 7 || got[0] != "\x00\xff=lo" || got[6] != "\xff\x00=hi" {
		t.Errorf("binary keys: %q", got)
	}
}

func suiteCallerOwns(t *testing.T, be StoreBackend) {
	st := be.Open(t)
	for _, k := range []encryption.Kind{encryption.KindSession, encryption.KindInstallation} {
		op := put(k, "k", "value")
		mustCommit(t, st, op)
		op.Value[0], op.Key[0] = 'X', 'X' // the store must not keep the caller's slices
		wantValue(t, st, k, "k", "value")
		got, _ := st.Get(k, []byte("k"))
		got[0] = 'Y'
		wantValue(t, st, k, "k", "value")
	}
}

func suiteIterateStops(t *testing.T, be StoreBackend) {
	st := be.Open(t)
	mustCommit(t, st, put(encryption.KindMeta, "a", "1"), put(encryption.KindMeta, "b", "2"), put(encryption.KindMeta, "c", "3"))
	stop := errors.New("stop")
	n := 0
	err := st.Iterate(encryption.KindMeta, nil, func(key, value []byte) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 2 {
		t.Fatalf("Iterate returned %v after %d calls; want fn's error after 2", err, n)
	}
}

func suiteDurable(t *testing.T, be StoreBackend) {
	st := be.Open(t)
	mustCommit(t, st, put(encryption.KindSession, "s", "secret"), put(encryption.KindInstallation, "i", "public"), put(encryption.KindMeta, "gone", "x"))
	mustCommit(t, st, del(encryption.KindMeta, "gone"))
	st = be.Reopen(t, st)
	wantValue(t, st, encryption.KindSession, "s", "secret")
	wantValue(t, st, encryption.KindInstallation, "i", "public")
	wantValue(t, st, encryption.KindMeta, "gone", "")
}
