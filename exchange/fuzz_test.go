package exchange

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// rawRequest writes r with body and signature sig as an HTTP/1.1 request
// on the wire.
func rawRequest(r *Request, body []byte, sig string) []byte {
	h := http.Header{}
	r.SetHeaders(h)
	if sig != "" {
		h.Set(HeaderSignature, sig)
	}
	var b bytes.Buffer
	b.WriteString(r.Method + " " + r.Target + " HTTP/1.1\r\nHost: gateway.example.no\r\n")
	h.Write(&b)
	if len(body) > 0 {
		b.WriteString("Content-Length: " + itoa(len(body)) + "\r\n")
	}
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}

func itoa(n int) string {
	var d []byte
	for {
		d = append([]byte{byte('0' + n%10)}, d...)
		n /= 10
		if n == 0 {
			return string(d)
		}
	}
}

// fuzzLimits keeps the fuzzer's bodies small.
var fuzzLimits = Limits{MaxBody: 1 << 12, MaxHeaderValue: 512, MaxTarget: 512}

// FuzzReadRequest reads requests parsed from raw bytes. ReadRequest must
// not panic; a request it accepts must have a canonical form of exactly
// the 17 lines, without control characters, and must read back the same
// after being written again with SetHeaders.
func FuzzReadRequest(f *testing.F) {
	r := testRequest()
	f.Add(rawRequest(r, testBody, "eyJhbGciOiJFZERTQSJ9..c2ln"))
	x := testRequest()
	x.Method, x.ContentDigest = "GET", ""
	f.Add(rawRequest(x, nil, "s"))
	f.Add([]byte("GET /exchange/v1/NO/974760673/death-records/a/../b HTTP/1.1\r\nHost: h\r\nX-Road-Client: FI/GOV/0245437-2/SUB\r\nX-Road-Id: " + testID + "\r\n\r\n"))
	f.Add([]byte("GET /exchange/v1/NO/974760673/death-records/%2e%2e/%2F?q=%00 HTTP/1.1\r\nHost: h\r\nSamband-Subject: NO0101\r\nSamband-Subject: NO0102\r\n\r\n"))
	f.Add([]byte("POST /exchange/v1/SE/x/y HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Digest: sha-512=:AA==:, sha-256=:AA==:\r\n\r\n3\r\nabc\r\n0\r\n\r\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		hr, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			return
		}
		req, body, sig, err := ReadRequest(hr, fuzzLimits)
		if err != nil {
			if ProblemOf(err).Status == 500 {
				t.Fatalf("ReadRequest error without a sentinel: %v", err)
			}
			return
		}
		if int64(len(body)) > fuzzLimits.MaxBody {
			t.Fatalf("body of %d bytes over the limit", len(body))
		}
		c := req.Canonical()
		lines := strings.Split(strings.TrimSuffix(string(c), "\n"), "\n")
		if len(lines) != 17 || lines[0] != "samband-request/1" {
			t.Fatalf("canonical form of %d lines:\n%s", len(lines), c)
		}
		for _, b := range c {
			if b < 0x20 && b != '\n' || b == 0x7f {
				t.Fatalf("control character %#x in the canonical form:\n%q", b, c)
			}
		}
		// Written again and read back, the request is the same.
		h := http.Header{}
		req.SetHeaders(h)
		h.Set(HeaderSignature, sig)
		again, body2, _, err := ReadRequest(&http.Request{
			Method: req.Method, RequestURI: req.Target, Header: h,
			Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body)),
		}, fuzzLimits)
		if err != nil {
			t.Fatalf("ReadRequest of the request written again: %v\n%+v", err, req)
		}
		if *again != *req || !bytes.Equal(body, body2) {
			t.Fatalf("read back\n%+v\nwant\n%+v", again, req)
		}
	})
}

// FuzzReadReceipt reads arbitrary compact strings as receipts with a fixed
// key: ReadReceipt must not panic, and only the receipt the key signed may
// be accepted.
func FuzzReadReceipt(f *testing.F) {
	key := edKey(f, "provider", "p1")
	keys := keyring{testProvider + " p1": publicOf(f, key)}
	good, err := SignReceipt(testReceipt(), key)
	if err != nil {
		f.Fatal(err)
	}
	parts := strings.Split(good, ".")
	f.Add(good)
	f.Add(parts[0] + "." + parts[1] + ".")
	f.Add(parts[0] + ".e30." + parts[2])
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add(`{"payload":"e30","signatures":[]}`)
	f.Add("..")
	f.Fuzz(func(t *testing.T, compact string) {
		r, err := ReadReceipt(context.Background(), compact, keys.keys)
		if err != nil {
			return
		}
		if compact != good {
			t.Fatalf("ReadReceipt accepted %q, which the key did not sign", compact)
		}
		if err := r.check(); err != nil {
			t.Fatalf("accepted claims fail check: %v", err)
		}
	})
}

// FuzzVerify verifies arbitrary signatures of a fixed request: Verify must
// not panic, and only the signature the key made may verify.
func FuzzVerify(f *testing.F) {
	key := edKey(f, "consumer", "k1")
	keys := keyring{testRequester + " k1": publicOf(f, key)}
	r := testRequest()
	good, err := Sign(r, testRequester, key)
	if err != nil {
		f.Fatal(err)
	}
	h64, _, _ := strings.Cut(good, ".")
	f.Add(good)
	f.Add(h64 + "..")
	f.Add(h64 + ".e30.AAAA")
	f.Add(forge(`{"alg":"none","kid":"k1","typ":"samband-request+jws","iss":"FI/0245437-2"}`, nil, true, func([]byte) []byte { return nil }))
	f.Add(forge(`{"alg":"EdDSA","kid":"k1","typ":"samband-request+jws","iss":"FI/0245437-2","alg":"HS256"}`, nil, true, func([]byte) []byte { return make([]byte, 64) }))
	f.Fuzz(func(t *testing.T, sig string) {
		_, err := Verify(context.Background(), r, sig, keys.keys)
		if err == nil && sig != good {
			t.Fatalf("Verify accepted %q, which the key did not sign", sig)
		}
	})
}

// FuzzContentDigest checks arbitrary Content-Digest values: no panic, and
// a value that matches a body does not match another.
func FuzzContentDigest(f *testing.F) {
	f.Add(ContentDigest([]byte("a")), []byte("a"))
	f.Add("sha-512=:"+b64std(make([]byte, 64))+":, sha-256=:AA==:;x=?1", []byte(""))
	f.Add(`md5=:AA==:, x="a\"b", y=-1.5, z=tok/en:x, w`, []byte("b"))
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		if err := CheckContentDigest(header, body); err != nil {
			return
		}
		if err := CheckContentDigest(header, append(body, 'x')); err == nil {
			t.Fatalf("Content-Digest %q matches two bodies", header)
		}
	})
}

// FuzzDecodeObject reads arbitrary bytes as the JSON objects of protected
// headers and claims: no panic, and every object it accepts encoding/json
// reads as the same members with the same values.
func FuzzDecodeObject(f *testing.F) {
	f.Add([]byte(`{"alg":"EdDSA","kid":"k1","typ":"samband-request+jws","iss":"FI/0245437-2"}`))
	f.Add([]byte(` { "a" : [1, {"b": "}"}], "c\u0041": null , "d":-1.5e3,"e":true} `))
	f.Add([]byte(`{"a":1,"\u0061":2}`))
	f.Add([]byte(`{"a":"\ud800"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got := map[string]string{}
		n := 0
		err := decodeObject(data, func(k string, v []byte) error {
			got[k] = string(v)
			n++
			return nil
		})
		if err != nil {
			return
		}
		var want map[string]json.RawMessage
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("decodeObject accepts %q, encoding/json does not: %v", data, err)
		}
		if n != len(want) || len(got) != len(want) {
			t.Fatalf("decodeObject read %d members of %q, encoding/json %d", n, data, len(want))
		}
		for k, v := range want {
			if got[k] != string(v) {
				t.Fatalf("member %q: decodeObject %q, encoding/json %q", k, got[k], v)
			}
		}
	})
}
