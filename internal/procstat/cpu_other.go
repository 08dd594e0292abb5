//go:build !unix

package procstat

func read() Usage { return Usage{} }
