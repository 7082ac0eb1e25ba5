// Package bench holds the measurement helpers of the stackone-bench command
// (internal/bench/cmd/stackone-bench): medians, a watcher of provider
// processes that records their peak RSS and CPU time from /proc, and the
// Markdown table writer of the report. It never asserts on a figure: the
// benchmark reports numbers, it does not pass or fail on them.
package bench

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Median returns the median of ds (the mean of the two middle values for an
// even count); 0 for none.
func Median(ds []time.Duration) time.Duration { return median(ds) }

// MedianFloat is Median for float64 values.
func MedianFloat(xs []float64) float64 { return median(xs) }

func median[T time.Duration | float64](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid]
	}
	return (s[mid-1] + s[mid]) / 2
}

// MedianInt is Median for ints (the lower middle value for an even count, so
// that a count stays a whole number).
func MedianInt(xs []int) int {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// Range formats the spread of ints: "5" when all are equal, "4–6" otherwise.
func Range(xs []int) string {
	if len(xs) == 0 {
		return "—"
	}
	lo, hi := slices.Min(xs), slices.Max(xs)
	if lo == hi {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d–%d", lo, hi)
}

// Seconds formats a duration as seconds with three decimals.
func Seconds(d time.Duration) string { return fmt.Sprintf("%.3f s", d.Seconds()) }

// Millis formats a duration as milliseconds with one decimal.
func Millis(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

// Ratio formats a/b with two decimals, "—" when b is zero.
func Ratio(a, b time.Duration) string {
	if b <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f×", float64(a)/float64(b))
}

// MB formats kibibytes as mebibytes with one decimal.
func MB(kb int64) string {
	if kb <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f MB", float64(kb)/1024)
}

// Table is a Markdown table.
type Table struct {
	Header []string
	Rows   [][]string
}

// Add appends a row.
func (t *Table) Add(cells ...string) { t.Rows = append(t.Rows, cells) }

// String renders the table; pipes in cells are escaped.
func (t *Table) String() string {
	var b strings.Builder
	row := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + strings.ReplaceAll(c, "|", `\|`) + " |")
		}
		b.WriteString("\n")
	}
	row(t.Header)
	sep := make([]string, len(t.Header))
	for i := range sep {
		sep[i] = "---"
	}
	row(sep)
	for _, r := range t.Rows {
		row(r)
	}
	return b.String()
}
