package gitsync

import (
	"context"
	"net/http/httptest"
	"testing"

	"gitlab.com/tsumiki/tsumiki/internal/gittest"
)

func TestCloneIsShallow(t *testing.T) {
	s := &gittest.Server{Root: t.TempDir(), Token: "t"}
	if _, err := s.CreateRepo("m", map[string]string{"a.yaml": "x: 1\n"}, 500); err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	defer hs.Close()
	r, err := Clone(context.Background(), CloneOptions{URL: hs.URL + "/m.git", Branch: "main", Auth: Auth{Token: "t"}, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	shallow, err := r.repo.Storer.Shallow()
	if err != nil {
		t.Fatal(err)
	}
	if len(shallow) != 1 || shallow[0] != r.Head() {
		t.Errorf("shallow commits = %v, want only the head %s", shallow, r.Head())
	}
	if _, err := r.repo.CommitObject(r.head.ParentHashes[0]); err == nil {
		t.Error("the clone holds the head's parent: it is not shallow")
	}
}
