package sqlite

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"samband/policies"
)

// benchSubjects is how many people the benchmark registry knows: each has
// granted two consents (one to an organisation, one to a class) and is the
// grantor of one mandate.
const benchSubjects = 100_000

// benchSubject is the i-th person of the benchmark: a Subject made as real
// ones are, from a counter rather than a number.
func benchSubject(i int) policies.Subject {
	m := hmac.New(sha256.New, testKey)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(i))
	m.Write(b[:])
	return policies.Subject(hex.EncodeToString(m.Sum(nil)))
}

// benchRegistry fills a registry file with benchSubjects people's consents
// and mandates, in one transaction.
func benchRegistry(b *testing.B) *Registry {
	b.Helper()
	ctx := context.Background()
	r, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close() })
	now := time.Now()
	from, until := now.AddDate(-1, 0, 0).UnixNano(), now.AddDate(1, 0, 0).UnixNano()
	tx, err := r.wdb.Begin()
	if err != nil {
		b.Fatal(err)
	}
	ins, err := tx.Prepare(`INSERT INTO consents (` + consentColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?, NULL)`)
	if err != nil {
		b.Fatal(err)
	}
	insM, err := tx.Prepare(`INSERT INTO mandates (` + mandateColumns + `) VALUES (?, ?, 0, ?, ?, ?, ?, ?, NULL, 'general-power-of-attorney', 'e', 'NO', ?, NULL)`)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < benchSubjects; i++ {
		s := string(benchSubject(i))
		n := strconv.Itoa(i)
		if _, err := ins.Exec("c1-"+n, s, "org"+strconv.Itoa(i%1000), "", `["p1","p2"]`, `["t`+strconv.Itoa(i%50)+`"]`, from, until, from); err != nil {
			b.Fatal(err)
		}
		if _, err := ins.Exec("c2-"+n, s, "", "public-authority", `["p3"]`, `["*"]`, from, until, from+1); err != nil {
			b.Fatal(err)
		}
		if _, err := insM.Exec("m-"+n, s, string(benchSubject(i+benchSubjects)), `["*"]`, `["p1"]`, `["death-and-inheritance"]`, from, from); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := r.wdb.Exec("ANALYZE"); err != nil {
		b.Fatal(err)
	}
	return r
}

// BenchmarkConsent: Facts.Consent on a registry of 200,000 consents of
// 100,000 people, each question about a random person, read from the file.
func BenchmarkConsent(b *testing.B) {
	r := benchRegistry(b)
	ctx := context.Background()
	question := func(rng *rand.Rand, kind string) policies.ConsentQuery {
		i := rng.IntN(benchSubjects)
		q := policies.ConsentQuery{Subject: benchSubject(i), Recipient: "org" + strconv.Itoa(i%1000), Purpose: "p2",
			Target: "t" + strconv.Itoa(i%50), At: time.Now()}
		switch kind {
		case "class":
			q.Recipient, q.RecipientClasses, q.Purpose = "org-x", []string{"municipality", "public-authority"}, "p3"
		case "no":
			q.Purpose = "p9"
		case "unknown-subject":
			q.Subject = benchSubject(3*benchSubjects + i)
		}
		return q
	}
	for _, kind := range []string{"yes", "class", "no", "unknown-subject"} {
		b.Run(kind, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			for b.Loop() {
				_, ok, err := r.Consent(ctx, question(rng, kind))
				if err != nil || ok != (kind == "yes" || kind == "class") {
					b.Fatalf("Consent = %v, %v", ok, err)
				}
			}
		})
	}
	b.Run("yes-parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			rng := rand.New(rand.NewPCG(rand.Uint64(), 2))
			for pb.Next() {
				if _, ok, err := r.Consent(ctx, question(rng, "yes")); err != nil || !ok {
					b.Errorf("Consent = %v, %v", ok, err)
					return
				}
			}
		})
	})
}

// BenchmarkMandate: Facts.Mandate on a registry of 100,000 mandates.
func BenchmarkMandate(b *testing.B) {
	r := benchRegistry(b)
	ctx := context.Background()
	for _, kind := range []string{"yes", "no"} {
		b.Run(kind, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			for b.Loop() {
				i := rng.IntN(benchSubjects)
				q := policies.MandateQuery{Representative: benchSubject(i + benchSubjects), Grantor: benchSubject(i),
					Target: "t1", Purpose: "p1", LifeEvent: "death-and-inheritance", At: time.Now()}
				if kind == "no" {
					q.LifeEvent = "having-a-child"
				}
				_, ok, err := r.Mandate(ctx, q)
				if err != nil || ok != (kind == "yes") {
					b.Fatalf("Mandate = %v, %v", ok, err)
				}
			}
		})
	}
}

// BenchmarkMandateCached: the same Facts.Mandate question again and again,
// as the broker asks it for one heir: answered from the cache after the
// freshness check, under a request's cancellable context.
func BenchmarkMandateCached(b *testing.B) {
	r := benchRegistry(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	q := policies.MandateQuery{Representative: benchSubject(7 + benchSubjects), Grantor: benchSubject(7),
		Target: "t1", Purpose: "p1", LifeEvent: "death-and-inheritance", At: time.Now()}
	for b.Loop() {
		if _, ok, err := r.Mandate(ctx, q); err != nil || !ok {
			b.Fatalf("Mandate = %v, %v", ok, err)
		}
	}
}

// BenchmarkGrantRescind: a grant and its rescission, each its own
// transaction synced to disk.
func BenchmarkGrantRescind(b *testing.B) {
	r, _ := openTemp(b)
	ctx := context.Background()
	s := benchSubject(0)
	for b.Loop() {
		c, err := r.GrantConsent(ctx, policies.Consent{Subject: s, Recipient: "org", Purposes: []string{"p"},
			Targets: []string{"t"}, Until: time.Now().Add(time.Hour)}, policies.Note{Via: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.RescindConsent(ctx, c.ID, policies.Note{Via: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
}
