package audit

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/tlog"

	"samband/policies"
)

// Entry is one decision of the exchange as the audit log keeps it. The data
// subject and the representative are keyed hashes (policies.Subject), never
// raw identifiers.
type Entry struct {
	Time           time.Time        // when the decision was made; kept to the nanosecond, in UTC
	RequestID      string           // the request's identifier
	Requester      string           // the organisation asking
	Service        string           // the target data service
	Purpose        string           // a purpose IRI or code
	LegalBasis     string           // the legal basis claimed
	Decision       string           // "permit" or "deny", as decided
	Rule           string           // the rule (policy, permission, prohibition) that decided
	Subject        policies.Subject // the data subject, or "" if none
	Representative policies.Subject // who acted for the subject under a mandate, or ""
	Status         int              // the status of the answer (an HTTP status code), 0 to 65535
	ReceiptHash    tlog.Hash        // SHA-256 of the signed receipt, or zero for none
}

// MaxFieldSize is the largest text field of an Entry, in bytes.
const MaxFieldSize = 4096

// maxEncodedSize bounds an encoded entry: the fixed part plus nine
// length-prefixed fields.
const maxEncodedSize = 1 + 8 + 2 + 32 + 9*(binary.MaxVarintLen16+MaxFieldSize)

const encodingVersion = 1

// ErrInvalidEntry is returned for an Entry that cannot be encoded and for
// bytes that are not an encoded Entry.
var ErrInvalidEntry = errors.New("invalid audit entry")

// MarshalBinary returns the canonical encoding of e, the bytes whose
// tlog.RecordHash is the entry's leaf in the tree. The encoding is:
//
//	1 byte   version, 1
//	8 bytes  Time as Unix nanoseconds, big-endian two's complement
//	2 bytes  Status, big-endian
//	32 bytes ReceiptHash
//	then RequestID, Requester, Service, Purpose, LegalBasis, Decision,
//	Rule, Subject, Representative, each as its length in bytes (unsigned
//	varint, minimal) followed by its UTF-8 bytes.
//
// Every Entry has exactly one encoding. Text fields must be valid UTF-8 of
// at most MaxFieldSize bytes; Subject and Representative must be empty or a
// keyed hash (64 lower-case hex digits); Time must be representable in
// Unix nanoseconds (years 1678 to 2262).
func (e Entry) MarshalBinary() ([]byte, error) {
	ns := e.Time.UnixNano()
	if !time.Unix(0, ns).Equal(e.Time) {
		return nil, fmt.Errorf("%w: time %s out of range", ErrInvalidEntry, e.Time)
	}
	if e.Status < 0 || e.Status > 0xffff {
		return nil, fmt.Errorf("%w: status %d out of range", ErrInvalidEntry, e.Status)
	}
	for _, s := range []struct {
		name string
		v    policies.Subject
	}{{"subject", e.Subject}, {"representative", e.Representative}} {
		if !isKeyedHash(string(s.v)) {
			return nil, fmt.Errorf("%w: %s is not a keyed hash (64 lower-case hex digits)", ErrInvalidEntry, s.name)
		}
	}
	b := make([]byte, 0, 64+len(e.RequestID)+len(e.Requester)+len(e.Service)+
		len(e.Purpose)+len(e.LegalBasis)+len(e.Decision)+len(e.Rule)+
		len(e.Subject)+len(e.Representative))
	b = append(b, encodingVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(ns))
	b = binary.BigEndian.AppendUint16(b, uint16(e.Status))
	b = append(b, e.ReceiptHash[:]...)
	for i, f := range e.fields() {
		s := *f
		if len(s) > MaxFieldSize {
			return nil, fmt.Errorf("%w: %s longer than %d bytes", ErrInvalidEntry, fieldNames[i], MaxFieldSize)
		}
		if !utf8.ValidString(s) {
			return nil, fmt.Errorf("%w: %s is not UTF-8", ErrInvalidEntry, fieldNames[i])
		}
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b, nil
}

// UnmarshalBinary sets e from its canonical encoding (see MarshalBinary).
// It accepts only canonical encodings: re-encoding gives back data.
func (e *Entry) UnmarshalBinary(data []byte) error {
	if len(data) > maxEncodedSize {
		return fmt.Errorf("%w: %d bytes, more than %d", ErrInvalidEntry, len(data), maxEncodedSize)
	}
	if len(data) < 43 {
		return fmt.Errorf("%w: %d bytes, too short", ErrInvalidEntry, len(data))
	}
	if data[0] != encodingVersion {
		return fmt.Errorf("%w: version %d, want %d", ErrInvalidEntry, data[0], encodingVersion)
	}
	var d Entry
	d.Time = time.Unix(0, int64(binary.BigEndian.Uint64(data[1:9]))).UTC()
	d.Status = int(binary.BigEndian.Uint16(data[9:11]))
	copy(d.ReceiptHash[:], data[11:43])
	rest := data[43:]
	var subject, representative string
	fields := d.fields()
	fields[7], fields[8] = &subject, &representative
	for i, f := range fields {
		n, k := binary.Uvarint(rest)
		if k <= 0 {
			return fmt.Errorf("%w: %s: bad length", ErrInvalidEntry, fieldNames[i])
		}
		if k != uvarintLen(n) {
			return fmt.Errorf("%w: %s: length not minimally encoded", ErrInvalidEntry, fieldNames[i])
		}
		rest = rest[k:]
		if n > MaxFieldSize || n > uint64(len(rest)) {
			return fmt.Errorf("%w: %s: length %d out of range", ErrInvalidEntry, fieldNames[i], n)
		}
		s := string(rest[:n])
		if !utf8.ValidString(s) {
			return fmt.Errorf("%w: %s is not UTF-8", ErrInvalidEntry, fieldNames[i])
		}
		*f = s
		rest = rest[n:]
	}
	if len(rest) != 0 {
		return fmt.Errorf("%w: %d bytes after the last field", ErrInvalidEntry, len(rest))
	}
	if !isKeyedHash(subject) || !isKeyedHash(representative) {
		return fmt.Errorf("%w: subject or representative is not a keyed hash", ErrInvalidEntry)
	}
	d.Subject, d.Representative = policies.Subject(subject), policies.Subject(representative)
	*e = d
	return nil
}

// Hash returns the entry's leaf hash in the tree: tlog.RecordHash of its
// canonical encoding.
func (e Entry) Hash() (tlog.Hash, error) {
	b, err := e.MarshalBinary()
	if err != nil {
		return tlog.Hash{}, err
	}
	return tlog.RecordHash(b), nil
}

var fieldNames = [...]string{"request id", "requester", "service", "purpose",
	"legal basis", "decision", "rule", "subject", "representative"}

// fields returns pointers to the text fields in encoding order; the last
// two point at copies of Subject and Representative as strings.
func (e *Entry) fields() [9]*string {
	subject, representative := string(e.Subject), string(e.Representative)
	return [9]*string{&e.RequestID, &e.Requester, &e.Service, &e.Purpose,
		&e.LegalBasis, &e.Decision, &e.Rule, &subject, &representative}
}

func uvarintLen(n uint64) int {
	var b [binary.MaxVarintLen64]byte
	return binary.PutUvarint(b[:], n)
}

// isKeyedHash reports whether s is empty or 64 lower-case hex digits, the
// form of a policies.Subject.
func isKeyedHash(s string) bool {
	if s == "" {
		return true
	}
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	_, err := hex.DecodeString(s)
	return err == nil
}
