package audit

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

const testSubject = "5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592"

func testEntry(i int) Entry {
	return Entry{
		Time:        time.Date(2026, 11, 22, 12, 0, 0, i, time.UTC),
		RequestID:   "req-" + strings.Repeat("x", i%7),
		Requester:   "NO:974760673",
		Service:     "https://data.example.se/service/death-register",
		Purpose:     "https://w3id.org/dpv#LegalCompliance",
		LegalBasis:  "EU 650/2012 art. 66",
		Decision:    "permit",
		Rule:        "policy-1#permission-0",
		Subject:     testSubject,
		Status:      200,
		ReceiptHash: tlog.RecordHash([]byte{byte(i)}),
	}
}

func TestEntryRoundTrip(t *testing.T) {
	for _, e := range []Entry{testEntry(0), testEntry(5), {Time: time.Unix(0, 0).UTC()}} {
		b, err := e.MarshalBinary()
		if err != nil {
			t.Fatalf("MarshalBinary(%+v): %v", e, err)
		}
		var got Entry
		if err := got.UnmarshalBinary(b); err != nil {
			t.Fatalf("UnmarshalBinary: %v", err)
		}
		if got != e {
			t.Errorf("UnmarshalBinary(MarshalBinary(e)) = %+v, want %+v", got, e)
		}
	}
}

func TestEntryInvalid(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Entry)
	}{
		{"raw identifier as subject", func(e *Entry) { e.Subject = "12345678901" }},
		{"upper-case hash", func(e *Entry) { e.Representative = "5D41402ABC4B2A76B9719D911017C5925D41402ABC4B2A76B9719D911017C592" }},
		{"zero time", func(e *Entry) { e.Time = time.Time{} }},
		{"negative status", func(e *Entry) { e.Status = -1 }},
		{"long field", func(e *Entry) { e.Rule = strings.Repeat("r", MaxFieldSize+1) }},
		{"not UTF-8", func(e *Entry) { e.Purpose = "\xff" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := testEntry(1)
			tc.edit(&e)
			if _, err := e.MarshalBinary(); !errors.Is(err, ErrInvalidEntry) {
				t.Errorf("MarshalBinary = %v, want ErrInvalidEntry", err)
			}
		})
	}
}

func FuzzEntryUnmarshal(f *testing.F) {
	for i := range 3 {
		b, _ := testEntry(i).MarshalBinary()
		f.Add(b)
	}
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, data []byte) {
		var e Entry
		if err := e.UnmarshalBinary(data); err != nil {
			return
		}
		b, err := e.MarshalBinary()
		if err != nil {
			t.Fatalf("MarshalBinary of a decoded entry: %v", err)
		}
		if !bytes.Equal(b, data) {
			t.Fatalf("re-encoding differs:\n got %x\nwant %x", b, data)
		}
	})
}
