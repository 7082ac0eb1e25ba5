package bench

import (
	"bytes"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/PID/stat; 100
// on every Linux architecture Go supports.
const clockTicks = 100

// ProcWatch follows the provider processes a terraform command starts. The
// provider binary is reached through a wrapper script that appends its PID
// to a log file and then execs the real binary (the PID survives the exec),
// so every process is counted, however short-lived. While it runs, ProcWatch
// polls /proc/PID/status and /proc/PID/stat and keeps the last VmHWM (the kernel's own
// peak-RSS record, so a peak between two polls is not missed as long as one
// poll lands after it) and the last CPU time seen, for each logged PID whose
// /proc/PID/exe is the provider binary (the wrapper shell before its exec has
// the same command name, so the name cannot tell them apart).
type ProcWatch struct {
	logPath  string
	exePaths []string
	interval time.Duration

	stop chan struct{}
	done chan struct{}

	mu    sync.Mutex
	procs map[int]*ProcInfo
	order []int
}

// ProcInfo is what was seen of one provider process.
type ProcInfo struct {
	PID int
	// PeakRSSKB is the last VmHWM read, in KiB (0 if the process was never
	// seen running the provider binary).
	PeakRSSKB int64
	// CPU is user+system time at the last poll.
	CPU time.Duration
	// Seen says the process was read at least once as the provider.
	Seen bool
}

// ProcSummary sums up a ProcWatch.
type ProcSummary struct {
	// Processes is how many provider processes were started.
	Processes int
	// PeakRSSKB is the largest VmHWM of any of them, in KiB.
	PeakRSSKB int64
	// CPU is the CPU time of all of them at their last poll (a lower bound:
	// work after the last poll is not counted).
	CPU time.Duration
	// Unseen counts processes that ended before a poll could read them.
	Unseen int
}

// WatchProcs truncates logPath and starts polling every interval; exePaths
// are the absolute paths of the real provider binaries.
func WatchProcs(logPath string, interval time.Duration, exePaths ...string) (*ProcWatch, error) {
	if err := os.WriteFile(logPath, nil, 0o600); err != nil {
		return nil, err
	}
	w := &ProcWatch{
		logPath: logPath, exePaths: exePaths, interval: interval,
		stop: make(chan struct{}), done: make(chan struct{}), procs: map[int]*ProcInfo{},
	}
	go w.loop()
	return w, nil
}

func (w *ProcWatch) loop() {
	defer close(w.done)
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for {
		w.poll()
		select {
		case <-w.stop:
			w.poll()
			return
		case <-t.C:
		}
	}
}

func (w *ProcWatch) poll() {
	data, _ := os.ReadFile(w.logPath)
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, line := range strings.Fields(string(data)) {
		pid, err := strconv.Atoi(line)
		if err != nil {
			continue
		}
		if _, ok := w.procs[pid]; !ok {
			w.procs[pid] = &ProcInfo{PID: pid}
			w.order = append(w.order, pid)
		}
	}
	for _, p := range w.procs {
		readProc(p, w.exePaths)
	}
}

// readProc updates p from /proc when the process is alive and runs the
// provider (the wrapper shell that precedes the exec is not counted).
func readProc(p *ProcInfo, exePaths []string) {
	dir := "/proc/" + strconv.Itoa(p.PID)
	if exe, err := os.Readlink(dir + "/exe"); err != nil || !slices.Contains(exePaths, exe) {
		return
	}
	status, err := os.ReadFile(dir + "/status")
	if err != nil {
		return
	}
	if hwm, ok := statusKB(status, "VmHWM:"); ok {
		p.PeakRSSKB = max(p.PeakRSSKB, hwm)
		p.Seen = true
	}
	if stat, err := os.ReadFile(dir + "/stat"); err == nil {
		if cpu, ok := statCPU(stat); ok && cpu > p.CPU {
			p.CPU = cpu
		}
	}
}

// statusKB reads a "Key:   1234 kB" line of /proc/PID/status.
func statusKB(status []byte, key string) (int64, bool) {
	for line := range bytes.SplitSeq(status, []byte("\n")) {
		if rest, ok := bytes.CutPrefix(line, []byte(key)); ok {
			f := strings.Fields(string(rest))
			if len(f) == 0 {
				return 0, false
			}
			n, err := strconv.ParseInt(f[0], 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// statCPU reads utime+stime from /proc/PID/stat (fields 14 and 15; the
// command name in parentheses may contain spaces, so fields are counted
// after the last ')').
func statCPU(stat []byte) (time.Duration, bool) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(stat[i+1:]))
	// f[0] is field 3 (state); utime is field 14, stime field 15.
	if len(f) < 13 {
		return 0, false
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(ut+st) * time.Second / clockTicks, true
}

// Stop ends polling (after one last poll) and returns the summary.
func (w *ProcWatch) Stop() ProcSummary {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	var s ProcSummary
	for _, pid := range w.order {
		p := w.procs[pid]
		s.Processes++
		s.PeakRSSKB = max(s.PeakRSSKB, p.PeakRSSKB)
		s.CPU += p.CPU
		if !p.Seen {
			s.Unseen++
		}
	}
	return s
}
