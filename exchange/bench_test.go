package exchange

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"
)

// benchKeys returns the private keys of the benchmarks by algorithm and a
// keyring with their public keys as testRequester's k1 (EdDSA) and k2
// (ES256), and testProvider's p1 and p2.
func benchKeys(b *testing.B) (map[string]jwk.Key, keyring) {
	ed, ec := edKey(b, "consumer", "k1"), ecKey(b, "k2")
	ped, pec := edKey(b, "provider", "p1"), ecKey(b, "p2")
	return map[string]jwk.Key{"EdDSA": ed, "ES256": ec, "receipt EdDSA": ped, "receipt ES256": pec},
		keyring{
			testRequester + " k1": publicOf(b, ed), testRequester + " k2": publicOf(b, ec),
			testProvider + " p1": publicOf(b, ped), testProvider + " p2": publicOf(b, pec),
		}
}

// BenchmarkSign signs a request with Sign, which prepares the key at
// every call, and with a SigningKey prepared once.
func BenchmarkSign(b *testing.B) {
	keys, _ := benchKeys(b)
	r := testRequest()
	for _, alg := range []string{"EdDSA", "ES256"} {
		b.Run(alg, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Sign(r, testRequester, keys[alg]); err != nil {
					b.Fatal(err)
				}
			}
		})
		k, err := NewSigningKey(keys[alg])
		if err != nil {
			b.Fatal(err)
		}
		b.Run(alg+"/prepared", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := k.SignRequest(r, testRequester); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	keys, ring := benchKeys(b)
	r := testRequest()
	ctx := context.Background()
	for _, alg := range []string{"EdDSA", "ES256"} {
		sig, err := Sign(r, testRequester, keys[alg])
		if err != nil {
			b.Fatal(err)
		}
		b.Run(alg, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Verify(ctx, r, sig, ring.keys); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerifyOverhead compares Verify with jwx's full jws.Verify of
// the same detached JWS and with crypto/ed25519 alone over the same
// signing input: what the checks and the JWS layers cost above the
// signature itself.
func BenchmarkVerifyOverhead(b *testing.B) {
	keys, ring := benchKeys(b)
	r := testRequest()
	sig, err := Sign(r, testRequester, keys["EdDSA"])
	if err != nil {
		b.Fatal(err)
	}
	pub := ring[testRequester+" k1"]
	canonical := r.Canonical()
	h64, _, _ := strings.Cut(sig, ".")
	input := []byte(h64 + "." + b64url(canonical))
	sigBytes, err := base64.RawURLEncoding.DecodeString(sig[strings.LastIndexByte(sig, '.')+1:])
	if err != nil {
		b.Fatal(err)
	}
	rawPub := rawKey(b, pub).(ed25519.PublicKey)

	b.Run("Verify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Verify(context.Background(), r, sig, ring.keys); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("jws.Verify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := jws.Verify([]byte(sig), jws.WithKey(jwa.EdDSA(), pub), jws.WithDetachedPayload(canonical)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ed25519.Verify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !ed25519.Verify(rawPub, input, sigBytes) {
				b.Fatal("does not verify")
			}
		}
	})
	b.Run("Canonical", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r.Canonical()
		}
	})
	b.Run("parseProtected", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := parseProtected(h64, TypeRequest); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("publicKeyFor", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := publicKeyFor(jwa.EdDSA(), pub); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkReadRequest(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 1024)
	r := testRequest()
	r.ContentDigest = ContentDigest(body)
	req := testHTTPRequest(b, r, body, strings.Repeat("s", 200))
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		req.Body = io.NopCloser(bytes.NewReader(body))
		if _, _, _, err := ReadRequest(req, Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReplayCheck checks new ids from every core at once against a
// guard that already holds a five-minute window of 5,000 requests a
// second (1.5 million ids), the clock moving on at that rate, so that the
// guard both adds and forgets as it does in steady service. Each
// goroutine counts its own ids and keeps its own clock, so that they
// share nothing but the guard. Making each id's string costs about a
// tenth of the time.
func BenchmarkReplayCheck(b *testing.B) {
	const window, every = 5 * time.Minute, 200 * time.Microsecond
	g := NewReplayGuard(window)
	var buf [36]byte
	for i := uint64(0); i < uint64(window/every); i++ {
		g.Remember(benchUUID(&buf, 1<<50|i), testTime.Add(-window+time.Duration(i)*every))
	}
	var workers atomic.Uint64
	procs := uint64(runtime.GOMAXPROCS(0))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var buf [36]byte
		w := workers.Add(1)
		for n := uint64(0); pb.Next(); n++ {
			now := testTime.Add(time.Duration(n*procs) * every)
			if err := g.Check(benchUUID(&buf, w<<40|n), now, now); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(g.Len()), "ids")
}

// benchUUID writes a UUID that holds n into buf and returns it.
func benchUUID(buf *[36]byte, n uint64) string {
	const hexd = "0123456789abcdef"
	copy(buf[:], "00000000-0000-4000-8000-000000000000")
	for i := 35; i >= 24 && n > 0; i-- {
		buf[i] = hexd[n&15]
		n >>= 4
	}
	return string(buf[:])
}

// BenchmarkSignReceipt signs a receipt with SignReceipt, which prepares
// the key at every call, and with a SigningKey prepared once.
func BenchmarkSignReceipt(b *testing.B) {
	keys, _ := benchKeys(b)
	rc := testReceipt()
	for _, alg := range []string{"EdDSA", "ES256"} {
		b.Run(alg, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := SignReceipt(rc, keys["receipt "+alg]); err != nil {
					b.Fatal(err)
				}
			}
		})
		k, err := NewSigningKey(keys["receipt "+alg])
		if err != nil {
			b.Fatal(err)
		}
		b.Run(alg+"/prepared", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := k.SignReceipt(rc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkReadReceipt(b *testing.B) {
	keys, ring := benchKeys(b)
	compact, err := SignReceipt(testReceipt(), keys["receipt EdDSA"])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadReceipt(context.Background(), compact, ring.keys); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExchange is the wire format's share of one signed exchange at
// the provider-side gateway, with EdDSA: read the request (1 KiB body),
// verify its signature, check its time and id, and sign the receipt with
// a prepared key. Parallel, on every core.
func BenchmarkExchange(b *testing.B) {
	keys, ring := benchKeys(b)
	receiptKey, err := NewSigningKey(keys["receipt EdDSA"])
	if err != nil {
		b.Fatal(err)
	}
	body := bytes.Repeat([]byte("x"), 1024)
	// Signed requests made beforehand, used in turn; the replay guard
	// checks ids of their own, as many as the run needs.
	type signed struct {
		r *Request
		h http.Header
	}
	pool := make([]signed, 256)
	for i := range pool {
		r := testRequest()
		r.ID = fmt.Sprintf("%08x-8c1a-4e6b-9a3d-5f2e7c9b1a40", i)
		r.ContentDigest = ContentDigest(body)
		sig, err := Sign(r, testRequester, keys["EdDSA"])
		if err != nil {
			b.Fatal(err)
		}
		pool[i] = signed{r, testHTTPRequest(b, r, body, sig).Header}
	}
	g := NewReplayGuard(5 * time.Minute)
	var next atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var buf [36]byte
		for pb.Next() {
			n := next.Add(1)
			p := pool[n%int64(len(pool))]
			req := &http.Request{
				Method: p.r.Method, RequestURI: p.r.Target, Header: p.h,
				Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)),
			}
			got, _, sig, err := ReadRequest(req, Limits{})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := Verify(context.Background(), got, sig, ring.keys); err != nil {
				b.Fatal(err)
			}
			if err := CheckTime(got.Time, testTime, 5*time.Minute, time.Minute); err != nil {
				b.Fatal(err)
			}
			if err := g.Check(benchUUID(&buf, uint64(n)), got.Time, testTime); err != nil {
				b.Fatal(err)
			}
			rc := testReceipt()
			rc.RequestID, rc.RequestHash = got.ID, got.HashText()
			if _, err := receiptKey.SignReceipt(rc); err != nil {
				b.Fatal(err)
			}
		}
	})
}
