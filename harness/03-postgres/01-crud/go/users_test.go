package users

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

func ptr(s string) *string { return &s }

func mustCreate(t *testing.T, r *Repo, email, name string) User {
	t.Helper()
	u, err := r.Create(context.Background(), email, name)
	if err != nil {
		t.Fatalf("Create(ctx, %q, %q) returned error %v, want a new user", email, name, err)
	}
	return u
}

func TestCreateAndGet(t *testing.T) {
	ctx := context.Background()
	t.Run("Create inserts a row and returns it with its new id", func(t *testing.T) {
		pool := kataPool(t)
		r := NewRepo(pool)
		ada := mustCreate(t, r, "ada@example.com", "Ada Lovelace")
		if ada.ID == 0 || ada.Email != "ada@example.com" || ada.Name != "Ada Lovelace" {
			t.Fatalf("Create(ctx, \"ada@example.com\", \"Ada Lovelace\") = %+v, want the inserted row with its id (RETURNING id, email, name)", ada)
		}
		grace := mustCreate(t, r, "grace@example.com", "Grace Hopper")
		if got, want := tableRows(t, pool), []User{ada, grace}; !reflect.DeepEqual(got, want) {
			t.Errorf("users table after two Create calls = %+v, want %+v", got, want)
		}
	})
	t.Run("Get returns the user", func(t *testing.T) {
		pool := kataPool(t)
		r := NewRepo(pool)
		ada := mustCreate(t, r, "ada@example.com", "Ada")
		linus := mustCreate(t, r, "linus@example.com", "Linus")
		for _, want := range []User{linus, ada} {
			got, err := r.Get(ctx, want.ID)
			if err != nil || got != want {
				t.Errorf("Get(ctx, %d) = %+v, %v; want %+v, nil", want.ID, got, err, want)
			}
		}
	})
	t.Run("Get of an unknown id returns a *NotFoundError", func(t *testing.T) {
		r := NewRepo(kataPool(t))
		mustCreate(t, r, "ada@example.com", "Ada")
		_, err := r.Get(ctx, 999)
		var nf *NotFoundError
		if !errors.As(err, &nf) {
			t.Fatalf("Get(ctx, 999) for an id that does not exist returned error %v (%T), want a *NotFoundError: turn pgx.ErrNoRows into your own error (errors.Is(err, pgx.ErrNoRows))", err, err)
		}
		if nf.ID != 999 {
			t.Errorf("Get(ctx, 999): NotFoundError.ID = %d, want 999", nf.ID)
		}
		if errors.Is(err, pgx.ErrNoRows) {
			t.Errorf("Get(ctx, 999) returned an error that is still pgx.ErrNoRows: callers must not depend on the driver, return only the *NotFoundError")
		}
	})
	t.Run("Create with a taken email returns ErrDuplicateEmail and inserts nothing", func(t *testing.T) {
		pool := kataPool(t)
		r := NewRepo(pool)
		ada := mustCreate(t, r, "ada@example.com", "Ada")
		_, err := r.Create(ctx, "ada@example.com", "Impostor")
		if !errors.Is(err, ErrDuplicateEmail) {
			t.Errorf("Create(ctx, \"ada@example.com\", \"Impostor\") with the email of an existing user returned error %v, want ErrDuplicateEmail (PostgreSQL's unique_violation is SQLSTATE 23505)", err)
		}
		if got := tableRows(t, pool); !reflect.DeepEqual(got, []User{ada}) {
			t.Errorf("users table after the rejected Create = %+v, want only %+v", got, ada)
		}
	})
}

// rivalDB inserts a rival user with the same email just before the repository's first
// INSERT reaches the server: another request that won the race after any check was made.
type rivalDB struct {
	DB
	pool  *pgxpool.Pool
	email string
	done  bool
}

func (d *rivalDB) before(ctx context.Context, sql string) {
	if d.done || !strings.HasPrefix(strings.ToUpper(strings.TrimSpace(sql)), "INSERT") {
		return
	}
	d.done = true
	if _, err := d.pool.Exec(ctx, "INSERT INTO users (email, name) VALUES ($1, 'Rival')", d.email); err != nil {
		panic(fmt.Sprintf("insert the rival user: %v", err))
	}
}

func (d *rivalDB) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	d.before(ctx, sql)
	return d.DB.Exec(ctx, sql, args...)
}

func (d *rivalDB) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	d.before(ctx, sql)
	return d.DB.Query(ctx, sql, args...)
}

func (d *rivalDB) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	d.before(ctx, sql)
	return d.DB.QueryRow(ctx, sql, args...)
}

func TestCreateRace(t *testing.T) {
	t.Run("Create that loses a race for the email returns ErrDuplicateEmail", func(t *testing.T) {
		pool := kataPool(t)
		db := &rivalDB{DB: pool, pool: pool, email: "ada@example.com"}
		_, err := NewRepo(db).Create(context.Background(), "ada@example.com", "Ada")
		if !db.done {
			t.Fatalf("Create(ctx, \"ada@example.com\", \"Ada\") never sent an INSERT")
		}
		if !errors.Is(err, ErrDuplicateEmail) {
			t.Errorf("another request inserted ada@example.com between your check and your INSERT; Create returned error %v, want ErrDuplicateEmail: a SELECT before the INSERT proves nothing, let the UNIQUE constraint decide (SQLSTATE 23505)", err)
		}
	})
}

func TestListAndSearch(t *testing.T) {
	ctx := context.Background()
	t.Run("List returns every user ordered by id", func(t *testing.T) {
		r := NewRepo(kataPool(t))
		if got, err := r.List(ctx); err != nil || len(got) != 0 {
			t.Fatalf("List(ctx) on an empty table = %+v, %v; want no users, nil", got, err)
		}
		var made []User
		for _, name := range []string{"Cy", "Ann", "Bob"} {
			made = append(made, mustCreate(t, r, strings.ToLower(name)+"@example.com", name))
		}
		// An UPDATE writes a new row version at the end of the table: without ORDER BY, Cy comes last.
		cy, err := r.Update(ctx, made[0].ID, Patch{Name: ptr("Cyrus")})
		if err != nil {
			t.Fatalf("Update(ctx, %d, {Name: \"Cyrus\"}) returned error %v", made[0].ID, err)
		}
		made[0] = cy
		if got, err := r.List(ctx); err != nil || !reflect.DeepEqual(got, made) {
			t.Errorf("List(ctx) after renaming the first user = %+v, %v; want %+v (rows come back in storage order unless you ORDER BY id)", got, err, made)
		}
	})
	t.Run("Search finds names containing the text, case-insensitively, ordered by id", func(t *testing.T) {
		r := NewRepo(kataPool(t))
		ann := mustCreate(t, r, "a@x.io", "Ann Smith")
		mustCreate(t, r, "b@x.io", "Bob Stone")
		joanna := mustCreate(t, r, "c@x.io", "JoANNa")
		for text, want := range map[string][]User{"ann": {ann, joanna}, "SMITH": {ann}, "zed": nil} {
			if got, err := r.Search(ctx, text); err != nil || !reflect.DeepEqual(nonNil(got), nonNil(want)) {
				t.Errorf("Search(ctx, %q) = %+v, %v; want %+v", text, got, err, want)
			}
		}
	})
	t.Run("Search treats % and _ as plain characters", func(t *testing.T) {
		r := NewRepo(kataPool(t))
		mustCreate(t, r, "a@x.io", "Ann")
		pct := mustCreate(t, r, "b@x.io", "100% Bob")
		under := mustCreate(t, r, "c@x.io", "snake_case")
		for text, want := range map[string][]User{"%": {pct}, "_": {under}, "0%": {pct}, "e_c": {under}} {
			if got, err := r.Search(ctx, text); err != nil || !reflect.DeepEqual(nonNil(got), nonNil(want)) {
				t.Errorf("Search(ctx, %q) = %+v, %v; want %+v: in ILIKE %% and _ are wildcards, escape them in the parameter", text, got, err, want)
			}
		}
	})
	t.Run("Search treats a backslash as a plain character", func(t *testing.T) {
		r := NewRepo(kataPool(t))
		mustCreate(t, r, "a@x.io", "100%")
		path := mustCreate(t, r, "b@x.io", `C:\temp`)
		both := mustCreate(t, r, "c@x.io", `back\%slash`)
		mustCreate(t, r, "d@x.io", "plain")
		for text, want := range map[string][]User{`\`: {path, both}, `\%`: {both}, `\t`: {path}} {
			if got, err := r.Search(ctx, text); err != nil || !reflect.DeepEqual(nonNil(got), nonNil(want)) {
				t.Errorf("Search(ctx, %q) = %+v, %v; want %+v: \\ is LIKE's escape character, escape it first, then %% and _", text, got, err, want)
			}
		}
	})
}

func nonNil(us []User) []User {
	if us == nil {
		return []User{}
	}
	return us
}

func TestUpdateAndDelete(t *testing.T) {
	ctx := context.Background()
	t.Run("Update changes only the fields in the patch", func(t *testing.T) {
		r := NewRepo(kataPool(t))
		ada := mustCreate(t, r, "ada@example.com", "Ada")
		bob := mustCreate(t, r, "bob@example.com", "Bob")
		got, err := r.Update(ctx, ada.ID, Patch{Name: ptr("Ada King")})
		if want := (User{ada.ID, ada.Email, "Ada King"}); err != nil || got != want {
			t.Errorf("Update(ctx, %d, {Name: \"Ada King\"}) = %+v, %v; want %+v, nil (a nil field keeps its value)", ada.ID, got, err, want)
		}
		got, err = r.Update(ctx, ada.ID, Patch{Email: ptr("king@example.com")})
		if want := (User{ada.ID, "king@example.com", "Ada King"}); err != nil || got != want {
			t.Errorf("Update(ctx, %d, {Email: \"king@example.com\"}) = %+v, %v; want %+v, nil", ada.ID, got, err, want)
		}
		if got, err := r.Get(ctx, bob.ID); err != nil || got != bob {
			t.Errorf("Get(ctx, %d) after updating another user = %+v, %v; want %+v", bob.ID, got, err, bob)
		}
		got, err = r.Update(ctx, bob.ID, Patch{Email: ptr("bob@example.com"), Name: ptr("Robert")})
		if want := (User{bob.ID, bob.Email, "Robert"}); err != nil || got != want {
			t.Errorf("Update(ctx, %d, {Email: his own email, Name: \"Robert\"}) = %+v, %v; want %+v, nil: an email is a duplicate only when another user has it", bob.ID, got, err, want)
		}
	})
	t.Run("Update of an unknown id returns a *NotFoundError", func(t *testing.T) {
		r := NewRepo(kataPool(t))
		mustCreate(t, r, "ada@example.com", "Ada")
		_, err := r.Update(ctx, 999, Patch{Name: ptr("Ghost")})
		var nf *NotFoundError
		if !errors.As(err, &nf) || nf.ID != 999 {
			t.Errorf("Update(ctx, 999, {Name: \"Ghost\"}) for an id that does not exist returned error %v (%T), want &NotFoundError{ID: 999}", err, err)
		}
	})
	t.Run("Update to a taken email returns ErrDuplicateEmail and changes nothing", func(t *testing.T) {
		pool := kataPool(t)
		r := NewRepo(pool)
		ada := mustCreate(t, r, "ada@example.com", "Ada")
		bob := mustCreate(t, r, "bob@example.com", "Bob")
		_, err := r.Update(ctx, bob.ID, Patch{Email: ptr("ada@example.com"), Name: ptr("Bobby")})
		if !errors.Is(err, ErrDuplicateEmail) {
			t.Errorf("Update(ctx, %d, {Email: \"ada@example.com\", Name: \"Bobby\"}) to the email of another user returned error %v, want ErrDuplicateEmail", bob.ID, err)
		}
		if got := tableRows(t, pool); !reflect.DeepEqual(got, []User{ada, bob}) {
			t.Errorf("users table after the rejected Update = %+v, want %+v", got, []User{ada, bob})
		}
	})
	t.Run("Delete removes the row, and a second Delete returns a *NotFoundError", func(t *testing.T) {
		pool := kataPool(t)
		r := NewRepo(pool)
		ada := mustCreate(t, r, "ada@example.com", "Ada")
		bob := mustCreate(t, r, "bob@example.com", "Bob")
		if err := r.Delete(ctx, ada.ID); err != nil {
			t.Fatalf("Delete(ctx, %d) returned error %v, want nil", ada.ID, err)
		}
		err := r.Delete(ctx, ada.ID)
		var nf *NotFoundError
		if !errors.As(err, &nf) || nf.ID != ada.ID {
			t.Errorf("Delete(ctx, %d) a second time returned error %v, want &NotFoundError{ID: %d}: the CommandTag's RowsAffected() tells whether a row was deleted", ada.ID, err, ada.ID)
		}
		if got := tableRows(t, pool); !reflect.DeepEqual(got, []User{bob}) {
			t.Errorf("users table after deleting user %d = %+v, want %+v", ada.ID, got, []User{bob})
		}
	})
}

func TestHostileInput(t *testing.T) {
	ctx := context.Background()
	hostile := "Robert'); DROP TABLE users; --"
	t.Run("Create stores a hostile name as data and the table survives", func(t *testing.T) {
		pool := kataPool(t)
		r := NewRepo(pool)
		ada := mustCreate(t, r, "ada@example.com", "Ada")
		bobby, err := r.Create(ctx, "bob'by@example.com", hostile)
		if err != nil {
			t.Fatalf("Create(ctx, \"bob'by@example.com\", %q) returned error %v: pass values as parameters ($1, $2), never inside the SQL text", hostile, err)
		}
		want := []User{ada, {bobby.ID, "bob'by@example.com", hostile}}
		if got := tableRows(t, pool); !reflect.DeepEqual(got, want) {
			t.Errorf("users table after Create with a hostile name = %+v, want %+v", got, want)
		}
	})
	t.Run("Search with quotes finds nothing and changes nothing", func(t *testing.T) {
		pool := kataPool(t)
		r := NewRepo(pool)
		ada := mustCreate(t, r, "ada@example.com", "Ada")
		bob := mustCreate(t, r, "bob@example.com", "Bob")
		for _, text := range []string{"' OR '1'='1", "'; DELETE FROM users; --", "%' OR name <> '"} {
			if got, err := r.Search(ctx, text); err != nil || len(got) != 0 {
				t.Errorf("Search(ctx, %q) = %+v, %v; want no users and no error: the text is a value ($1), not SQL", text, got, err)
			}
		}
		if got := tableRows(t, pool); !reflect.DeepEqual(got, []User{ada, bob}) {
			t.Errorf("users table after hostile searches = %+v, want %+v", got, []User{ada, bob})
		}
	})
	t.Run("Update with a hostile name changes one row", func(t *testing.T) {
		pool := kataPool(t)
		r := NewRepo(pool)
		ada := mustCreate(t, r, "ada@example.com", "Ada")
		bob := mustCreate(t, r, "bob@example.com", "Bob")
		evil := "x', email = 'pwned"
		got, err := r.Update(ctx, ada.ID, Patch{Name: ptr(evil)})
		if want := (User{ada.ID, ada.Email, evil}); err != nil || got != want {
			t.Errorf("Update(ctx, %d, {Name: %q}) = %+v, %v; want %+v, nil", ada.ID, evil, got, err, want)
		}
		if got := tableRows(t, pool); !reflect.DeepEqual(got, []User{{ada.ID, ada.Email, evil}, bob}) {
			t.Errorf("users table after Update with a hostile name = %+v, want %+v", got, []User{{ada.ID, ada.Email, evil}, bob})
		}
	})
}
