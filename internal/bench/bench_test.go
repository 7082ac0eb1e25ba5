package bench

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	s := time.Second
	for _, tc := range []struct {
		in   []time.Duration
		want time.Duration
	}{
		{nil, 0},
		{[]time.Duration{3 * s}, 3 * s},
		{[]time.Duration{5 * s, 1 * s, 3 * s}, 3 * s},
		{[]time.Duration{4 * s, 1 * s, 3 * s, 2 * s}, 2500 * time.Millisecond},
	} {
		if got := Median(tc.in); got != tc.want {
			t.Errorf("Median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	in := []time.Duration{3, 1, 2}
	Median(in)
	if in[0] != 3 {
		t.Error("Median sorted its argument")
	}
	if got := MedianInt([]int{4, 1, 3, 2}); got != 2 {
		t.Errorf("MedianInt = %d, want the lower middle 2", got)
	}
	if got := MedianFloat([]float64{1, 4}); got != 2.5 {
		t.Errorf("MedianFloat = %v", got)
	}
}

func TestRangeAndFormats(t *testing.T) {
	if got := Range([]int{2, 2}); got != "2" {
		t.Errorf("Range = %q", got)
	}
	if got := Range([]int{3, 1, 2}); got != "1–3" {
		t.Errorf("Range = %q", got)
	}
	if got := Ratio(3*time.Second, 2*time.Second); got != "1.50×" {
		t.Errorf("Ratio = %q", got)
	}
	if got := Ratio(time.Second, 0); got != "—" {
		t.Errorf("Ratio by zero = %q", got)
	}
	if got := MB(61440); got != "60.0 MB" {
		t.Errorf("MB = %q", got)
	}
}

func TestTable(t *testing.T) {
	tb := Table{Header: []string{"a", "b"}}
	tb.Add("1", "x|y")
	want := "| a | b |\n| --- | --- |\n| 1 | x\\|y |\n"
	if got := tb.String(); got != want {
		t.Errorf("Table =\n%s\nwant\n%s", got, want)
	}
}

func TestProcParsing(t *testing.T) {
	status := []byte("Name:\tterraform-provi\nVmPeak:\t  900000 kB\nVmHWM:\t   41234 kB\nVmRSS:\t   40000 kB\n")
	if kb, ok := statusKB(status, "VmHWM:"); !ok || kb != 41234 {
		t.Errorf("statusKB = %d, %v", kb, ok)
	}
	if _, ok := statusKB(status, "VmSwap:"); ok {
		t.Error("statusKB found a missing key")
	}
	// The command name may hold spaces and parentheses; utime=250, stime=50 ticks.
	stat := []byte("1234 (odd (name) x) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 10 0")
	if cpu, ok := statCPU(stat); !ok || cpu != 3*time.Second {
		t.Errorf("statCPU = %v, %v", cpu, ok)
	}
}

// TestWatchProcsSelf watches this test process under its own executable:
// it is counted once and its peak RSS and CPU are read.
func TestWatchProcsSelf(t *testing.T) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		t.Skip("no /proc on this system")
	}
	log := filepath.Join(t.TempDir(), "pids")
	w, err := WatchProcs(log, time.Millisecond, exe)
	if err != nil {
		t.Fatal(err)
	}
	pid := strconv.Itoa(os.Getpid())
	if err := os.WriteFile(log, []byte(strings.Join([]string{pid, "not-a-pid", pid}, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		w.mu.Lock()
		p := w.procs[os.Getpid()]
		seen := p != nil && p.Seen
		w.mu.Unlock()
		if seen || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	s := w.Stop()
	if s.Processes != 1 || s.Unseen != 0 || s.PeakRSSKB <= 0 {
		t.Fatalf("summary = %+v, want one process seen with a peak RSS", s)
	}
}
