package trust

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkKey: the lookup every exchange request makes, in a set of 8
// keys with time bounds.
func BenchmarkKey(b *testing.B) {
	keys := make([]any, 8)
	for i := range keys {
		k, _ := edKey(b, fmt.Sprintf("key-%d", i), time.Unix(1_700_000_000, 0), time.Unix(2_000_000_000, 0))
		keys[i] = k
	}
	r, err := Open(context.Background(), Config{Parties: []PartyConfig{
		{ID: authN, Kind: Authority, Scheme: "NO:ORGNR", JWKS: string(setJSON(b, keys...))},
		{ID: gwSE, Kind: Gateway, Scheme: "SE:ORGNR", BaseURL: "https://samband.example.se", JWKS: string(setJSON(b, keys[:1]...))},
	}}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	ctx, at := context.Background(), time.Unix(1_800_000_000, 0)
	b.Run("found", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.Key(ctx, authN, "key-5", at); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := r.Key(ctx, authN, "key-5", at); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("unknown-kid", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.Key(ctx, authN, "key-9", at); err == nil {
				b.Fatal("found")
			}
		}
	})
}

// BenchmarkParseSet: checking a fetched set of 8 keys.
func BenchmarkParseSet(b *testing.B) {
	keys := make([]any, 8)
	for i := range keys {
		k, _ := edKey(b, fmt.Sprintf("key-%d", i), zeroTime, time.Unix(2_000_000_000, 0))
		keys[i] = k
	}
	body := setJSON(b, keys...)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseSet(body, limits{maxBytes: DefaultMaxJWKSBytes, maxKeys: DefaultMaxKeys}); err != nil {
			b.Fatal(err)
		}
	}
}
