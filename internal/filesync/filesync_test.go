package filesync

import (
	"os"
	"path/filepath"
	"testing"
)

// TestData: the data written is synced without error, and a closed file
// is an error, not a crash.
func TestData(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("durable\n"); err != nil {
		t.Fatal(err)
	}
	if err := Data(f); err != nil {
		t.Errorf("Data: %v", err)
	}
	f.Close()
	if err := Data(f); err == nil {
		t.Error("Data of a closed file: no error")
	}
}
