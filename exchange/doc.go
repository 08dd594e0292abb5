// Package exchange brokers the signed, policy-checked exchange of records
// between authorities across borders. This part of it is the wire format:
// how a request is read, put in canonical form, signed and verified, how
// its body's digest is checked, how replays are refused, and the receipts
// and countersignatures that bind an answer to its request and to the
// gateways' audit logs.
//
// An authority asks its gateway with an HTTP request to
// /exchange/v1/{country}/{organisation}/{service}/{path...} whose Samband-*
// headers say who asks (Samband-Requester), whom (Samband-Audience), why
// (Samband-Purpose, Samband-Legal-Basis), about and for whom
// (Samband-Subject, Samband-Representative, Samband-Mandate) and when
// (Samband-Time); X-Road REST clients may use X-Road-Client, X-Road-Id,
// X-Road-UserId and X-Road-Issue instead. Samband-Signature is a compact
// JWS with detached payload over the request's canonical form, a fixed
// list of "name: value" lines that Request.Canonical documents; the body
// is bound by its Content-Digest (RFC 9530), which the canonical form
// carries. Signatures are EdDSA (Ed25519) or ES256 (P-256), never "none",
// HMAC or RSA, and always with a key the trust registry holds for the
// signer, never one the message brings.
//
// A client builds and signs a request:
//
//	r := &exchange.Request{Method: "GET", Country: "NO", Organisation: "974760673",
//		Service: "death-records", Path: "/v1/deaths", ID: id, ...}
//	req, err := exchange.NewRequest(ctx, "https://gateway.example.no", r, nil)
//	sig, err := exchange.Sign(r, "FI/0245437-2", key)
//	req.Header.Set(exchange.HeaderSignature, sig)
//
// and a gateway reads and checks it, in this order:
//
//	r, body, sig, err := exchange.ReadRequest(req, exchange.Limits{})
//	signed, err := exchange.Verify(ctx, r, sig, keys)
//	err = exchange.CheckTime(r.Time, now, window, skew)
//	err = guard.Check(r.ID, r.Time, now) // a ReplayGuard over the same window
//
// The provider-side gateway answers with a Samband-Receipt (SignReceipt)
// that binds the request hash, the response digest, the decision and the
// audit log index; the consumer-side gateway reads it (ReadReceipt) and
// adds its Samband-Countersignature (Countersign). A gateway prepares its
// own key once (NewSigningKey) and signs with the SigningKey's methods,
// which spares the check of the key at every signature. Every error wraps
// one of the package's sentinels, and ProblemOf maps it to the problem
// type, title and status the peer is answered with.
package exchange
