package policies

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// NationalID is a national identity number that has been checked and put
// in the one form Samband hashes, so that every way of writing a person's
// number gives the same Subject on every gateway. It cannot be printed,
// logged or encoded: fmt, slog and encoding/json see only its country. The
// one thing to do with it is to hash it (Subject) and drop it.
type NationalID struct {
	country string
	number  string // canonical
}

// ErrNationalID is wrapped by every error of ParseNationalID. Such errors
// say what is wrong with a number, never the number.
var ErrNationalID = errors.New("invalid national identity number")

// ParseNationalID checks number as a national identity number of country
// (ISO 3166-1 alpha-2, any case) and returns it in canonical form. Spaces
// are ignored, and dashes where a country writes them. now is the present,
// against which a birth date may not lie in the future and from which a
// Swedish ten-digit number's century is worked out; zero is time.Now().
//
// Where a country's numbers carry a check, it is verified, and the birth
// date they encode must exist:
//
//	NO  fødselsnummer or D-number (day + 40), DDMMYYIIIKK: both mod-11
//	    check digits; the century from the individual number. H-numbers
//	    (month + 40) and synthetic test numbers (month + 80) are refused.
//	    Canonical: the 11 digits.
//	SE  personnummer or samordningsnummer (day + 60), YYMMDD-NNNC,
//	    YYMMDD+NNNC (100 years or older) or YYYYMMDDNNNC: the Luhn check.
//	    Canonical: the 12 digits, century included.
//	FI  henkilötunnus DDMMYYCZZZQ: the check character (DDMMYYZZZ mod 31);
//	    century signs + (1800s), - Y X W V U (1900s), A B C D E F (2000s);
//	    ZZZ from 002. Canonical: as written, upper case.
//	DK  CPR-nummer DDMMYY-SSSS: the date, its century from the first
//	    digit of SSSS; the modulus-11 check is not required (CPR numbers
//	    without it have been issued since 2007). Canonical: the 10 digits.
//	IS  kennitala DDMMYY-RRCM: check digit C (mod 11), century M (8, 9, 0);
//	    a person's (day + 40 is a company's). Canonical: the 10 digits.
//	EE  isikukood GYYMMDDSSSC, LT asmens kodas (the same scheme): the
//	    check digit over both weight series, G giving sex and century.
//	    Canonical: the 11 digits.
//
// A number of another country is checked only for its form: 1 to 64
// letters and digits once spaces and dashes are dropped, upper-cased.
func ParseNationalID(country, number string, now time.Time) (NationalID, error) {
	c := strings.ToUpper(strings.TrimSpace(country))
	if !isCountry(c) {
		if len(country) > 8 {
			return NationalID{}, fmt.Errorf("%w: country is not an ISO 3166-1 alpha-2 code such as NO", ErrNationalID)
		}
		return NationalID{}, fmt.Errorf("%w: country %q is not an ISO 3166-1 alpha-2 code such as NO", ErrNationalID, country)
	}
	if now.IsZero() {
		now = time.Now()
	}
	if len(number) > 64 {
		return NationalID{}, fmt.Errorf("%w: %s: longer than 64 characters", ErrNationalID, c)
	}
	raw := strings.ToUpper(strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, number))
	if raw == "" {
		return NationalID{}, fmt.Errorf("%w: %s: empty", ErrNationalID, c)
	}
	var (
		canon  string
		reason string
	)
	switch c {
	case "NO":
		canon, reason = norway(strings.ReplaceAll(raw, "-", ""), now)
	case "SE":
		canon, reason = sweden(raw, now)
	case "FI":
		canon, reason = finland(raw, now)
	case "DK":
		canon, reason = denmark(strings.ReplaceAll(raw, "-", ""), now)
	case "IS":
		canon, reason = iceland(strings.ReplaceAll(raw, "-", ""), now)
	case "EE", "LT":
		canon, reason = estonia(c, strings.ReplaceAll(raw, "-", ""), now)
	default:
		canon = strings.ReplaceAll(raw, "-", "")
		for _, r := range canon {
			if !('0' <= r && r <= '9' || 'A' <= r && r <= 'Z') {
				reason = "only letters and digits are allowed"
				break
			}
		}
		if canon == "" {
			reason = "empty"
		}
	}
	if reason != "" {
		return NationalID{}, fmt.Errorf("%w: %s: %s", ErrNationalID, c, reason)
	}
	return NationalID{country: c, number: canon}, nil
}

// Country returns the country that issued the number.
func (id NationalID) Country() string { return id.country }

// Subject returns the keyed hash of the number: k.Subject of its canonical form.
func (id NationalID) Subject(k SubjectKey) (Subject, error) {
	if id.number == "" {
		return "", fmt.Errorf("%w: not parsed", ErrNationalID)
	}
	return k.Subject(id.country, id.number)
}

// String hides the number.
func (id NationalID) String() string { return id.country + " national identity number (hidden)" }

// Format hides the number from every verb of fmt, %#v and %+v included.
func (id NationalID) Format(f fmt.State, verb rune) { fmt.Fprint(f, id.String()) }

// LogValue hides the number from slog.
func (id NationalID) LogValue() slog.Value { return slog.StringValue(id.String()) }

// MarshalJSON hides the number from encoding/json.
func (id NationalID) MarshalJSON() ([]byte, error) { return []byte(`"` + id.String() + `"`), nil }

// digits returns s as digits, or nil if s is not n decimal digits.
func digits(s string, n int) []int {
	if len(s) != n {
		return nil
	}
	d := make([]int, n)
	for i := 0; i < n; i++ {
		if s[i] < '0' || s[i] > '9' {
			return nil
		}
		d[i] = int(s[i] - '0')
	}
	return d
}

func num(d ...int) int {
	n := 0
	for _, x := range d {
		n = n*10 + x
	}
	return n
}

// birthDate checks that y-m-d is a real date no later than now.
func birthDate(y, m, d int, now time.Time) string {
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if m < 1 || m > 12 || d < 1 || t.Day() != d || t.Month() != time.Month(m) {
		return "the birth date it holds does not exist"
	}
	if t.After(now) {
		return "the birth date it holds is in the future"
	}
	return ""
}

// mod11 returns 11 - (the weighted sum mod 11), with 11 as 0; 10 means no
// valid check digit exists.
func mod11(d, w []int) int {
	s := 0
	for i, x := range w {
		s += d[i] * x
	}
	c := 11 - s%11
	if c == 11 {
		return 0
	}
	return c
}

func norway(s string, now time.Time) (string, string) {
	d := digits(s, 11)
	if d == nil {
		return "", "a fødselsnummer or D-number is 11 digits"
	}
	k1 := mod11(d, []int{3, 7, 6, 1, 8, 9, 4, 5, 2})
	k2 := mod11(d, []int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2})
	if k1 == 10 || k1 != d[9] || k2 == 10 || k2 != d[10] {
		return "", "the check digits do not match"
	}
	day, month, yy, ind := num(d[0], d[1]), num(d[2], d[3]), num(d[4], d[5]), num(d[6], d[7], d[8])
	switch {
	case month > 80:
		return "", "a synthetic test number (month + 80) is not a national identity number"
	case month > 40:
		return "", "an H-number (month + 40) is an auxiliary health-sector number, not a national identity number"
	}
	if day > 40 {
		day -= 40 // D-number
	}
	var year int
	switch {
	case ind <= 499:
		year = 1900 + yy
	case ind <= 749 && yy >= 54:
		year = 1800 + yy
	case yy <= 39:
		year = 2000 + yy
	case ind >= 900:
		year = 1900 + yy
	default:
		return "", "its individual number belongs to no century of its year"
	}
	if r := birthDate(year, month, day, now); r != "" {
		return "", r
	}
	return s, ""
}

func sweden(s string, now time.Time) (string, string) {
	const form = "a personnummer or samordningsnummer is YYMMDD-NNNC, YYMMDD+NNNC or YYYYMMDDNNNC"
	var ten string
	century := -1
	plus := false
	switch {
	case len(s) == 12 || len(s) == 13 && s[8] == '-':
		cd := digits(s[:2], 2)
		if cd == nil {
			return "", form
		}
		century = num(cd...)
		ten = s[2:8] + s[len(s)-4:]
	case len(s) == 11 && (s[6] == '-' || s[6] == '+'):
		plus = s[6] == '+'
		ten = s[:6] + s[7:]
	case len(s) == 10:
		ten = s
	default:
		return "", form
	}
	d := digits(ten, 10)
	if d == nil {
		return "", form
	}
	sum := 0
	for i, x := range d {
		if i%2 == 0 {
			x *= 2
			if x > 9 {
				x -= 9
			}
		}
		sum += x
	}
	if sum%10 != 0 {
		return "", "the check digit does not match"
	}
	yy, month, day := num(d[0], d[1]), num(d[2], d[3]), num(d[4], d[5])
	if day > 60 {
		day -= 60 // samordningsnummer
	}
	var year int
	if century >= 0 {
		year = century*100 + yy
	} else {
		// The latest year ending in yy whose date is not after the limit:
		// now, or a hundred years ago for "+".
		limit := now
		if plus {
			limit = now.AddDate(-100, 0, 0)
		}
		year = limit.Year() - (limit.Year()%100-yy+100)%100
		if t := time.Date(year, time.Month(month), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, day-1); t.After(limit) {
			year -= 100
		}
	}
	if r := birthDate(year, month, day, now); r != "" {
		return "", r
	}
	return fmt.Sprintf("%04d", year) + ten[2:], ""
}

const finnishCheck = "0123456789ABCDEFHJKLMNPRSTUVWXY"

func finland(s string, now time.Time) (string, string) {
	const form = "a henkilötunnus is DDMMYYCZZZQ, C a century sign (+, -, Y, X, W, V, U, A-F)"
	if len(s) != 11 {
		return "", form
	}
	d := digits(s[:6]+s[7:10], 9)
	if d == nil {
		return "", form
	}
	var base int
	switch s[6] {
	case '+':
		base = 1800
	case '-', 'Y', 'X', 'W', 'V', 'U':
		base = 1900
	case 'A', 'B', 'C', 'D', 'E', 'F':
		base = 2000
	default:
		return "", form
	}
	if finnishCheck[num(d...)%31] != s[10] {
		return "", "the check character does not match"
	}
	if num(d[6], d[7], d[8]) < 2 {
		return "", "individual numbers start at 002"
	}
	if r := birthDate(base+num(d[4], d[5]), num(d[2], d[3]), num(d[0], d[1]), now); r != "" {
		return "", r
	}
	return s, ""
}

func denmark(s string, now time.Time) (string, string) {
	d := digits(s, 10)
	if d == nil {
		return "", "a CPR-nummer is 10 digits, DDMMYY-SSSS"
	}
	yy := num(d[4], d[5])
	var year int
	switch x := d[6]; {
	case x <= 3:
		year = 1900 + yy
	case x == 4 || x == 9:
		year = 1900 + yy
		if yy <= 36 {
			year = 2000 + yy
		}
	default:
		year = 1800 + yy
		if yy <= 57 {
			year = 2000 + yy
		}
	}
	if r := birthDate(year, num(d[2], d[3]), num(d[0], d[1]), now); r != "" {
		return "", r
	}
	return s, ""
}

func iceland(s string, now time.Time) (string, string) {
	d := digits(s, 10)
	if d == nil {
		return "", "a kennitala is 10 digits, DDMMYY-RRCM"
	}
	if c := mod11(d, []int{3, 2, 7, 6, 5, 4, 3, 2}); c == 10 || c != d[8] {
		return "", "the check digit does not match"
	}
	day := num(d[0], d[1])
	if day > 40 {
		return "", "a kennitala with day + 40 is an organisation's, not a person's"
	}
	var base int
	switch d[9] {
	case 8:
		base = 1800
	case 9:
		base = 1900
	case 0:
		base = 2000
	default:
		return "", "its last digit, the century, is not 8, 9 or 0"
	}
	if r := birthDate(base+num(d[4], d[5]), num(d[2], d[3]), day, now); r != "" {
		return "", r
	}
	return s, ""
}

// estonia checks an Estonian isikukood or a Lithuanian asmens kodas.
func estonia(country, s string, now time.Time) (string, string) {
	d := digits(s, 11)
	if d == nil {
		return "", "a personal code is 11 digits, GYYMMDDSSSC"
	}
	maxG := 8
	if country == "LT" {
		maxG = 6
	}
	if d[0] < 1 || d[0] > maxG {
		return "", fmt.Sprintf("its first digit (sex and century) is not 1 to %d", maxG)
	}
	check := func(w []int) int {
		s := 0
		for i, x := range w {
			s += d[i] * x
		}
		return s % 11
	}
	c := check([]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 1})
	if c == 10 {
		if c = check([]int{3, 4, 5, 6, 7, 8, 9, 1, 2, 3}); c == 10 {
			c = 0
		}
	}
	if c != d[10] {
		return "", "the check digit does not match"
	}
	year := 1800 + (d[0]-1)/2*100 + num(d[1], d[2])
	if r := birthDate(year, num(d[3], d[4]), num(d[5], d[6]), now); r != "" {
		return "", r
	}
	return s, ""
}
