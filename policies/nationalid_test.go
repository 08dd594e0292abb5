package policies

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// The numbers below are synthetic: dates and serials chosen for the test,
// check digits computed from each scheme's rules (by a separate program,
// and checked again here). They belong to no one known.

var testNow = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

func TestParseNationalID(t *testing.T) {
	cases := []struct {
		country, number string
		canon           string // "" for an error
		reason          string // part of the error
	}{
		// Norway: fødselsnummer and D-number.
		{"NO", "15038510190", "15038510190", ""},
		{"no", "150385 10190", "15038510190", ""},
		{"NO", "29020450051", "29020450051", ""},    // 29 February 2004, individual number 500
		{"NO", "01016050012", "01016050012", ""},    // 1860: individual numbers 500-749
		{"NO", "31124590062", "31124590062", ""},    // 1945: individual numbers 900-999
		{"NO", "55079010188", "55079010188", ""},    // D-number: 15 July 1990
		{"NO", "15038510191", "", "check digits"},   // second check digit off by one
		{"NO", "15038510290", "", "check digits"},   // first check digit changed
		{"NO", "1503851019", "", "11 digits"},       // too short
		{"NO", "1503851019X", "", "11 digits"},      // a letter
		{"NO", "15479010096", "", "H-number"},       // month + 40
		{"NO", "15879010079", "", "synthetic test"}, // month + 80
		{"NO", "30028510086", "", "does not exist"}, // 30 February
		{"NO", "01013550022", "", "future"},         // 2035
		{"NO", "01014580049", "", "no century"},     // individual number 800 in '45

		// Sweden: personnummer and samordningsnummer.
		{"SE", "750623-1237", "197506231237", ""},
		{"SE", "7506231237", "197506231237", ""},
		{"SE", "197506231237", "197506231237", ""},
		{"SE", "19750623-1237", "197506231237", ""},
		{"SE", "120229-4565", "201202294565", ""},    // 29 February 2012
		{"SE", "750683-1234", "197506831234", ""},    // samordningsnummer: day 23 + 60
		{"SE", "100415+3217", "191004153217", ""},    // "+": a hundred years or older
		{"SE", "100415-3217", "201004153217", ""},    // "-": the latest possible century
		{"SE", "251201-2226", "202512012226", ""},    // 1 December 2025, before now
		{"SE", "750623-1236", "", "check digit"},     // Luhn off by one
		{"SE", "750623*1237", "", "YYMMDD"},          // no such separator
		{"SE", "207506231237", "", "future"},         // 2075
		{"SE", "751323-1238", "", "does not exist"},  // month 13
		{"SE", "19750623+1237", "", "YYMMDD-NNNC"},   // "+" in the twelve-digit form
		{"FI", "170852-234C", "170852-234C", ""},     // 1952
		{"FI", "170852-234c", "170852-234C", ""},     // lower case
		{"FI", "170852Y234C", "170852Y234C", ""},     // the new 1900s sign: another person
		{"FI", "030608A5674", "030608A5674", ""},     // 2008
		{"FI", "030608B5674", "030608B5674", ""},     // the new 2000s sign
		{"FI", "111199+902L", "111199+902L", ""},     // 1899, a temporary number
		{"FI", "170852-234D", "", "check character"}, // wrong check character
		{"FI", "170852Z234C", "", "century sign"},    // no such sign
		{"FI", "170852-001V", "", "002"},             // individual number 001
		{"FI", "1708522234C", "", "century sign"},    // a digit for the sign
		{"DK", "010190-1234", "0101901234", ""},      // no modulus-11 check
		{"DK", "0101904321", "0101904321", ""},       // 7th digit 4, year 90: 1990
		{"DK", "0101204321", "0101204321", ""},       // 7th digit 4, year 20: 2020
		{"DK", "0101585321", "0101585321", ""},       // 7th digit 5, year 58: 1858
		{"DK", "3102901234", "", "does not exist"},   // 31 February
		{"DK", "0101305321", "", "future"},           // 7th digit 5, year 30: 2030
		{"DK", "01019O1234", "", "10 digits"},
		{"IS", "120389-2039", "1203892039", ""}, // 1989
		{"IS", "2902082030", "2902082030", ""},  // 29 February 2008
		{"IS", "1203892049", "", "check digit"},
		{"IS", "5203892029", "", "organisation"}, // day + 40
		{"IS", "1203892035", "", "century"},      // the check is good, the century digit 5 is none
		{"EE", "38805122735", "38805122735", ""}, // 1988
		{"EE", "60301170184", "60301170184", ""}, // 2003
		{"EE", "49102030090", "49102030090", ""}, // check digit from the second weight series
		{"EE", "38805122736", "", "check digit"},
		{"EE", "98805122735", "", "first digit"},
		{"LT", "47909041125", "47909041125", ""},
		{"LT", "77909041125", "", "1 to 6"},

		// Other countries: form only.
		{"DE", "T22000129", "T22000129", ""},
		{"lv", "120190-12345", "12019012345", ""},
		{"DE", "T2200/0129", "", "letters and digits"},
		{"NOR", "15038510190", "", "ISO 3166-1"},
		{"", "15038510190", "", "ISO 3166-1"},
		{"NO", "", "", "empty"},
		{"NO", strings.Repeat("1", 65), "", "longer than 64"},
	}
	for _, tc := range cases {
		t.Run(tc.country+"/"+tc.number, func(t *testing.T) {
			id, err := ParseNationalID(tc.country, tc.number, testNow)
			if tc.canon != "" {
				if err != nil {
					t.Fatalf("ParseNationalID(%q, %q) = %v, want %s", tc.country, tc.number, err, tc.canon)
				}
				if id.number != tc.canon || id.country != strings.ToUpper(tc.country) {
					t.Fatalf("ParseNationalID(%q, %q) = %s %s, want %s", tc.country, tc.number, id.country, id.number, tc.canon)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrNationalID) || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("ParseNationalID(%q, %q) = %v, want an error about %q", tc.country, tc.number, err, tc.reason)
			}
			digitsOnly := strings.Map(func(r rune) rune {
				if '0' <= r && r <= '9' {
					return r
				}
				return -1
			}, tc.number)
			if len(digitsOnly) >= 6 && strings.Contains(err.Error(), digitsOnly[:6]) {
				t.Fatalf("error %q echoes the number", err)
			}
		})
	}
}

// Every way of writing one person's number gives one Subject.
func TestNationalIDSubjectOneForm(t *testing.T) {
	key := SubjectKey(strings.Repeat("k", 32))
	for _, forms := range [][2]string{
		{"SE", "750623-1237|7506231237|197506231237|19750623-1237| 750623 1237"},
		{"NO", "15038510190|150385 10190|150385-10190"},
		{"FI", "170852-234C|170852-234c"},
		{"DK", "010190-1234|0101901234"},
		{"IS", "120389-2039|1203892039"},
	} {
		want := Subject("")
		for _, n := range strings.Split(forms[1], "|") {
			id, err := ParseNationalID(forms[0], n, testNow)
			if err != nil {
				t.Fatalf("%s %q: %v", forms[0], n, err)
			}
			s, err := id.Subject(key)
			if err != nil {
				t.Fatal(err)
			}
			if want == "" {
				want = s
			} else if s != want {
				t.Errorf("%s %q hashes to %s, another form to %s", forms[0], n, s, want)
			}
		}
	}
	// The new Finnish century signs are other people.
	a, _ := ParseNationalID("FI", "170852-234C", testNow)
	b, _ := ParseNationalID("FI", "170852Y234C", testNow)
	sa, _ := a.Subject(key)
	sb, _ := b.Subject(key)
	if sa == sb {
		t.Error("170852-234C and 170852Y234C hash alike")
	}
	if _, err := (NationalID{}).Subject(key); err == nil {
		t.Error("the zero NationalID hashed")
	}
}

// A NationalID cannot leak through fmt, slog or JSON.
func TestNationalIDHidden(t *testing.T) {
	id, err := ParseNationalID("NO", "15038510190", testNow)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	logger := slog.New(slog.NewJSONHandler(&b, nil))
	logger.Info("x", "id", id)
	js, _ := json.Marshal(struct{ ID NationalID }{id})
	for _, s := range []string{fmt.Sprint(id), fmt.Sprintf("%v %+v %#v %s %q %d", id, id, id, id, id, id), b.String(), string(js),
		fmt.Sprintf("%+v", struct{ ID NationalID }{id})} {
		if strings.Contains(s, "15038510190") || strings.Contains(s, "150385") {
			t.Errorf("the number leaks: %s", s)
		}
		if !strings.Contains(s, "NO national identity number (hidden)") {
			t.Errorf("%s lacks the hidden form", s)
		}
	}
}

func TestParseSubjectKey(t *testing.T) {
	hex64 := strings.Repeat("0f", 32)
	for _, tc := range []struct {
		in   string
		want int // key length; 0: error
	}{
		{hex64, 32},
		{hex64 + "\n", 32},
		{"  " + hex64 + strings.Repeat("AB", 16) + "\r\n", 48},
		{strings.Repeat("0f", 31), 0},                       // 31 bytes
		{hex64[:63], 0},                                     // odd
		{strings.Repeat("zz", 32), 0},                       // not hex
		{"DwDwDwDwDwDwDwDwDwDwDwDwDwDwDwDwDwDwDwDwDwDw", 0}, // base64
		{hex64[:32] + " " + hex64[32:], 0},                  // space inside
		{"", 0},
	} {
		k, err := ParseSubjectKey([]byte(tc.in))
		if tc.want == 0 {
			if err == nil {
				t.Errorf("ParseSubjectKey(%q) = %x, want an error", tc.in, k)
			}
			continue
		}
		if err != nil || len(k) != tc.want {
			t.Errorf("ParseSubjectKey(%q) = %d bytes, %v; want %d", tc.in, len(k), err, tc.want)
		}
	}
	a, err := NewSubjectKey()
	if err != nil || len(a) != 32 {
		t.Fatalf("NewSubjectKey = %d bytes, %v", len(a), err)
	}
	b, _ := NewSubjectKey()
	if string(a) == string(b) {
		t.Error("NewSubjectKey twice gave one key")
	}
}

// FuzzNationalID: no input panics, an accepted number parses again to
// itself, and an error never holds the input's digits.
func FuzzNationalID(f *testing.F) {
	for _, s := range []string{"NO 15038510190", "SE 750623-1237", "SE 100415+3217", "FI 170852-234C", "DK 010190-1234",
		"IS 1203892039", "EE 49102030090", "LT 47909041125", "DE T22000129", "NO 5507901018X"} {
		c, n, _ := strings.Cut(s, " ")
		f.Add(c, n)
	}
	f.Fuzz(func(t *testing.T, country, number string) {
		id, err := ParseNationalID(country, number, testNow)
		if err != nil {
			if !errors.Is(err, ErrNationalID) {
				t.Fatalf("error %v does not wrap ErrNationalID", err)
			}
			if d := strings.TrimFunc(number, func(r rune) bool { return r < '0' || r > '9' }); len(d) >= 8 && strings.Contains(err.Error(), d) {
				t.Fatalf("error %q holds the number", err)
			}
			return
		}
		again, err := ParseNationalID(id.country, id.number, testNow)
		if err != nil || again != id {
			t.Fatalf("%s %q parsed to %q, which parses to %q, %v", country, number, id.number, again.number, err)
		}
	})
}
