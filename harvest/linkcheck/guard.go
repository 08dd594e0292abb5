package linkcheck

import "samband/internal/netguard"

// ErrForbiddenAddress is the error of a URL whose host resolved to an
// address the checker does not connect to (see Options.AllowPrivate). It is
// netguard.ErrForbiddenAddress, the error of Samband's dial-time guard.
var ErrForbiddenAddress = netguard.ErrForbiddenAddress
