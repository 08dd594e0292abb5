package exchange

import (
	"errors"
	"net/http"
	"strings"
)

// The errors of the exchange. Every error the package returns wraps one of
// them with a detail message, so that errors.Is finds it and ProblemOf
// maps it to the answer a peer gets.
var (
	// ErrMalformed is a request, receipt or countersignature whose headers
	// or claims do not have the form the wire format asks for.
	ErrMalformed = errors.New("malformed")
	// ErrMissingSignature is a request without a Samband-Signature.
	ErrMissingSignature = errors.New("missing signature")
	// ErrSignature is a signature that does not verify or does not have
	// the form of a Samband signature.
	ErrSignature = errors.New("invalid signature")
	// ErrAlgorithm is a signature algorithm Samband does not accept, or a
	// key that does not belong to the algorithm named (key confusion).
	ErrAlgorithm = errors.New("signature algorithm not accepted")
	// ErrStale is a request whose time lies further back than the window.
	ErrStale = errors.New("request time too old")
	// ErrFuture is a request whose time lies ahead of the clock by more
	// than the allowed skew.
	ErrFuture = errors.New("request time in the future")
	// ErrReplay is a request id seen before within the window.
	ErrReplay = errors.New("request id replayed")
	// ErrPath is a request target that breaks the path rules.
	ErrPath = errors.New("invalid request path")
	// ErrBodyTooLarge is a body over the limit.
	ErrBodyTooLarge = errors.New("body too large")
	// ErrDigest is a Content-Digest that is missing, malformed or does not
	// match the body.
	ErrDigest = errors.New("content digest")
	// ErrDuplicateHeader is a header given more than once, or a field given
	// both by its Samband header and its X-Road header with different values.
	ErrDuplicateHeader = errors.New("duplicate header")

	// ErrUnknownRequester is a requester the trust registry does not know.
	ErrUnknownRequester = errors.New("unknown requester")
	// ErrWrongAudience is a request addressed to another gateway.
	ErrWrongAudience = errors.New("wrong audience")
	// ErrWrongCountry is a request for a country this gateway does not serve.
	ErrWrongCountry = errors.New("wrong country")
	// ErrUnknownService is a service the catalogue does not register.
	ErrUnknownService = errors.New("unknown service")
	// ErrMethod is a method the service does not accept.
	ErrMethod = errors.New("method not allowed")
	// ErrDenied is a request the policies deny.
	ErrDenied = errors.New("denied")
	// ErrOutboundDenied is a request for another country's service that
	// the requester's own gateway denies by its outbound policy: it is
	// never forwarded.
	ErrOutboundDenied = errors.New("outbound denied")
	// ErrUpstream is a service or peer gateway that failed to answer.
	ErrUpstream = errors.New("upstream failed")
	// ErrUpstreamAddress is an upstream address the gateway refuses to
	// call (a loopback, private or otherwise forbidden address).
	ErrUpstreamAddress = errors.New("upstream address refused")
	// ErrUpstreamRedirect is an upstream that answered with a redirect.
	ErrUpstreamRedirect = errors.New("upstream redirect refused")
	// ErrAudit is an audit log that could not record the decision.
	ErrAudit = errors.New("audit log unavailable")
	// ErrUnknownKey is a signing key the trust registry does not know.
	ErrUnknownKey = errors.New("unknown key")
	// ErrKeyExpired is a signing key past its expiry at the time.
	ErrKeyExpired = errors.New("key expired")
	// ErrKeyNotYetValid is a signing key used before it is valid (nbf):
	// a key published ahead of a rotation, or a signer's clock ahead.
	ErrKeyNotYetValid = errors.New("key not yet valid")
	// ErrKeyRevoked is a signing key that has been revoked.
	ErrKeyRevoked = errors.New("key revoked")
)

// Problem is what a peer is told of an error: the type, a stable URN of
// the form urn:samband:problem:<name>, the title and the HTTP status, for
// a problem+json body (RFC 9457).
type Problem struct {
	Type   string
	Title  string
	Status int
}

// problems lists the sentinels in the order ProblemOf asks errors.Is; an
// error that wraps two of them takes the first.
var problems = []struct {
	err error
	p   Problem
}{
	{ErrMalformed, Problem{"urn:samband:problem:malformed", "The request is malformed", http.StatusBadRequest}},
	{ErrPath, Problem{"urn:samband:problem:path", "The request path is not a valid exchange path", http.StatusBadRequest}},
	{ErrDigest, Problem{"urn:samband:problem:digest", "The Content-Digest is missing, malformed or does not match the body", http.StatusBadRequest}},
	{ErrDuplicateHeader, Problem{"urn:samband:problem:duplicate-header", "A header is given more than once", http.StatusBadRequest}},
	{ErrMissingSignature, Problem{"urn:samband:problem:missing-signature", "The request is not signed", http.StatusUnauthorized}},
	{ErrAlgorithm, Problem{"urn:samband:problem:algorithm", "The signature algorithm or key type is not accepted", http.StatusUnauthorized}},
	{ErrUnknownKey, Problem{"urn:samband:problem:unknown-key", "The signing key is not known", http.StatusUnauthorized}},
	{ErrKeyExpired, Problem{"urn:samband:problem:key-expired", "The signing key has expired at the request's time", http.StatusUnauthorized}},
	{ErrKeyNotYetValid, Problem{"urn:samband:problem:key-not-yet-valid", "The signing key is not yet valid at the request's time", http.StatusUnauthorized}},
	{ErrKeyRevoked, Problem{"urn:samband:problem:key-revoked", "The signing key has been revoked", http.StatusUnauthorized}},
	{ErrSignature, Problem{"urn:samband:problem:signature", "The signature is not valid", http.StatusUnauthorized}},
	{ErrStale, Problem{"urn:samband:problem:stale", "The request time is too far in the past", http.StatusUnauthorized}},
	{ErrFuture, Problem{"urn:samband:problem:future", "The request time is in the future", http.StatusUnauthorized}},
	{ErrReplay, Problem{"urn:samband:problem:replay", "The request id has been used before", http.StatusConflict}},
	{ErrBodyTooLarge, Problem{"urn:samband:problem:body-too-large", "The request body is too large", http.StatusRequestEntityTooLarge}},
	{ErrUnknownRequester, Problem{"urn:samband:problem:unknown-requester", "The requester is not known", http.StatusForbidden}},
	{ErrWrongAudience, Problem{"urn:samband:problem:wrong-audience", "The request is addressed to another gateway", http.StatusForbidden}},
	{ErrWrongCountry, Problem{"urn:samband:problem:wrong-country", "This gateway does not serve the country asked for", http.StatusForbidden}},
	{ErrOutboundDenied, Problem{"urn:samband:problem:outbound-denied", "This gateway's outbound policy denies the request", http.StatusForbidden}},
	{ErrDenied, Problem{"urn:samband:problem:denied", "The policies deny the request", http.StatusForbidden}},
	{ErrUnknownService, Problem{"urn:samband:problem:unknown-service", "The service is not registered", http.StatusNotFound}},
	{ErrMethod, Problem{"urn:samband:problem:method", "The service does not accept this method", http.StatusMethodNotAllowed}},
	{ErrUpstreamAddress, Problem{"urn:samband:problem:upstream-address", "The service's address is refused", http.StatusBadGateway}},
	{ErrUpstreamRedirect, Problem{"urn:samband:problem:upstream-redirect", "The service answered with a redirect", http.StatusBadGateway}},
	{ErrUpstream, Problem{"urn:samband:problem:upstream", "The service did not answer", http.StatusBadGateway}},
	{ErrAudit, Problem{"urn:samband:problem:audit", "The decision could not be recorded in the audit log", http.StatusServiceUnavailable}},
}

// internalProblem is the answer to any error that is none of the above.
var internalProblem = Problem{"urn:samband:problem:internal", "Internal error", http.StatusInternalServerError}

// ProblemOf returns the Problem for err: the first of the package's
// sentinels that err wraps decides (a request that fails in two ways is
// answered for the first). Any other error, nil included, is
// urn:samband:problem:internal with status 500.
func ProblemOf(err error) Problem {
	if err == nil {
		return internalProblem
	}
	for _, e := range problems {
		if errors.Is(err, e.err) {
			return e.p
		}
	}
	return internalProblem
}

// name is the problem type without its URN prefix ("replay"): a bounded
// label for metrics.
func (p Problem) name() string { return strings.TrimPrefix(p.Type, "urn:samband:problem:") }
