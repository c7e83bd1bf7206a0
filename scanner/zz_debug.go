package scanner

import "sync/atomic"

var DebugFragBytes, DebugFrags, DebugMLBytes atomic.Int64
