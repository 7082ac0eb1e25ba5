package main

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stackonehq/terraform-provider-stackone/internal/bench"
	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox"
)

const (
	routeGetProfile = "GET /connector_profiles/{id}"
	routeList       = "GET /connector_profiles"
	routeCreate     = "POST /connector_profiles"
	routeCatalog    = "GET /actions"
	listPageSize    = 100 // the provider's page_size for GET /connector_profiles
)

// commandLine is how to reproduce this report.
func commandLine() string {
	parts := []string{"cd internal/bench && go run ./cmd/stackone-bench"}
	for _, a := range os.Args[1:] {
		if strings.ContainsAny(a, " \t'\"$") {
			a = strconv.Quote(a)
		}
		parts = append(parts, a)
	}
	return strings.Join(parts, " ")
}

func yesNo(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

func (b *benchRun) report() string {
	var w strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&w, format, args...) }
	cfg := b.cfg

	p("# stackone-bench results\n\n")
	p("Reproduce with (from the repository root):\n\n```sh\n%s\n```\n\n", commandLine())
	if len(b.failures) > 0 {
		p("**FAILED:** %s\n\n", strings.Join(b.failures, "; "))
	}
	mt := bench.Table{Header: []string{"machine", ""}}
	for _, kv := range b.machine {
		mt.Add(kv[0], kv[1])
	}
	mt.Add("provider build", "go build -trimpath, "+bench.Seconds(b.buildTime))
	p("%s\n", mt.String())
	if cfg.onlyQuery {
		b.reportQuery(p)
		return w.String()
	}
	p("Settings: per N, each kind is applied once from an empty state (the sandbox emptied first), then planned %d time(s) with `terraform plan -refresh=true -detailed-exitcode` "+
		"(which must exit 0: an empty plan), kinds alternated within each run; medians. `-parallelism=%d` for every kind. "+
		"**Default limit**: the provider block leaves `max_requests_per_minute` unset (the provider's default, %d/min) and the sandbox enforces StackOne's %d/min per key (a sliding 60-second window, 429 with Retry-After beyond it). "+
		"**Lifted**: `max_requests_per_minute = %d` (the highest the provider accepts) and the sandbox does not limit. The two plan the same state. "+
		"Provider processes are counted through a wrapper that logs each start; their peak RSS (VmHWM) and CPU time are polled from /proc every 10 ms.\n\n",
		cfg.runs, cfg.parallelism, stackoneRPM, stackoneRPM, unlimitedRPM)

	b.reportTargets(p)
	b.reportScale(p)
	b.reportAPI(p)
	b.reportLimited(p)
	b.reportProcess(p)
	b.reportScopes(p)
	b.reportRaw(p)
	b.reportQuery(p)
	return w.String()
}

type printer func(format string, args ...any)

func counts(stats []sandbox.Stats, route string) []int {
	out := make([]int, len(stats))
	for i, s := range stats {
		out[i] = s.Requests[route]
	}
	return out
}

func otherRequests(stats []sandbox.Stats, known ...string) string {
	others := map[string][]int{}
	for _, s := range stats {
		for k, v := range s.Requests {
			if !slices.Contains(known, k) {
				others[k] = append(others[k], v)
			}
		}
	}
	if len(others) == 0 {
		return "none"
	}
	var parts []string
	for k, v := range others {
		parts = append(parts, fmt.Sprintf("%s: %s", k, bench.Range(v)))
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}

// largest is the largest N measured outside the stretch run.
func (b *benchRun) largestN() *scaleResult {
	var best *scaleResult
	for i := range b.scale {
		s := &b.scale[i]
		if !s.stretch && len(s.profiles.plan) > 0 && (best == nil || s.n > best.n) {
			best = s
		}
	}
	return best
}

func (b *benchRun) stretchResult() *scaleResult {
	for i := range b.scale {
		if b.scale[i].stretch && len(b.scale[i].profiles.plan) > 0 {
			return &b.scale[i]
		}
	}
	return nil
}

func medianOf(kr kindRuns) time.Duration { return bench.Median(kr.plan) }

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// refreshRequests is, for each plan, every API request it made, and the
// GETs by id among them.
func refreshRequests(kr kindRuns) (total, byID []int) {
	for _, st := range kr.planStats {
		total = append(total, st.Total)
		byID = append(byID, st.Requests[routeGetProfile])
	}
	return total, byID
}

func (b *benchRun) reportTargets(p printer) {
	t := bench.Table{Header: []string{"target (issue 12)", "target", "measured", "status"}}
	if s := b.largestN(); s != nil {
		lifted, def := medianOf(s.profiles), medianOf(s.def)
		if len(s.def.plan) > 0 {
			r := ratio(def, lifted)
			t.Add(fmt.Sprintf("plan of %d with the default limit ÷ the same plan with the limit lifted", s.n), "≤ 1.2×",
				fmt.Sprintf("%.2f× (%s ÷ %s)", r, bench.Seconds(def), bench.Seconds(lifted)), yesNo(r <= 1.2))
		}
		total, byID := refreshRequests(s.def)
		total2, byID2 := refreshRequests(s.profiles)
		total, byID = append(total, total2...), append(byID, byID2...)
		if len(total) > 0 {
			limit := (s.n+listPageSize-1)/listPageSize + 2
			t.Add(fmt.Sprintf("requests made by a refresh of %d profiles of one connector", s.n), fmt.Sprintf("≤ ⌈N ÷ %d⌉ + 2 = %d", listPageSize, limit),
				fmt.Sprintf("%s per plan (%s GET by id), every plan", bench.Range(total), bench.Range(byID)), yesNo(slices.Max(total) <= limit && slices.Max(byID) == 0))
		}
		if len(s.nullQ.plan) > 0 {
			q := medianOf(s.nullQ)
			r := ratio(lifted, q)
			t.Add("plan ÷ a do-nothing framework provider with the same schema and logging", "≤ 1.2×",
				fmt.Sprintf("%.2f× (%s ÷ %s); at the default limit %.2f×", r, bench.Seconds(lifted), bench.Seconds(q), ratio(def, q)), yesNo(r <= 1.2 && ratio(def, q) <= 1.2))
		}
		if rss := append(slices.Clone(s.profiles.planRSS), s.def.planRSS...); len(rss) > 0 {
			m := slices.Max(rss)
			t.Add("peak RSS of the provider during that plan", "≤ 40 MB", bench.MB(m)+" (largest process of any run, either limit)", yesNo(m > 0 && m <= 40*1024))
		}
	}
	if l := b.limited; l != nil {
		floor := time.Duration(float64(l.n) / float64(l.rpm) * float64(time.Minute))
		r := ratio(l.wall, floor)
		refused := 0
		for st, c := range l.statuses {
			if !strings.HasPrefix(st, "2") {
				refused += c
			}
		}
		t.Add(fmt.Sprintf("apply of %d at the default limit ÷ (N ÷ limit), no failed request", l.n), "≤ 1.15×",
			fmt.Sprintf("%.2f× (%s ÷ %s); exit %d, %d non-2xx answers", r, bench.Seconds(l.wall), bench.Seconds(floor), l.code, refused), yesNo(r <= 1.15 && l.code == 0))
	}
	if s := b.stretchResult(); s != nil && len(s.raw.plan) > 0 {
		lifted, raw := medianOf(s.profiles), medianOf(s.raw)
		r := ratio(lifted, raw)
		extra := ""
		if len(s.def.plan) > 0 {
			extra = fmt.Sprintf("; at the default limit %.2f×", ratio(medianOf(s.def), raw))
		}
		t.Add(fmt.Sprintf("stretch: plan of %d profiles ÷ the raw-protocol floor with this schema", s.n), "≤ 1.5×",
			fmt.Sprintf("%.2f× (%s ÷ %s)%s", r, bench.Seconds(lifted), bench.Seconds(raw), extra), yesNo(r <= 1.5))
	}
	p("## Targets\n\n%s\n", t.String())
}

// planKinds are the kinds of one N in report order.
func planKinds(s scaleResult) []struct {
	name string
	kr   kindRuns
} {
	all := []struct {
		name string
		kr   kindRuns
	}{
		{"stackone_connector_profile, limit lifted", s.profiles},
		{"stackone_connector_profile, default limit (sandbox enforcing 1000/min)", s.def},
		{"benchnull_profile: framework, does nothing, same schema, logging and serving (SDK logs off, provider.ProtocolServer)", s.nullQ},
		{"benchnull_profile: framework, does nothing, SDK logs on (the framework's default)", s.null},
		{"benchnull_profile: raw protocol, no framework (the floor of any plugin provider for this schema)", s.raw},
		{"benchnull_data: terraform_data's shape, raw protocol", s.rawData},
		{"terraform_data (built in)", s.data},
	}
	return slices.DeleteFunc(all, func(k struct {
		name string
		kr   kindRuns
	}) bool {
		return len(k.kr.plan) == 0
	})
}

func (b *benchRun) reportScale(p printer) {
	p("## 1. Plan at scale, beside the floors\n\n")
	p("Wall time of `terraform plan -refresh=true` of N resources already applied; medians of the alternated runs. " +
		"`benchnull_profile` (internal/bench/cmd/benchnull-provider) has stackone_connector_profile's schema, taken from the real resource, and does nothing.\n\n")
	t := bench.Table{Header: []string{"N", "kind", "plan (median)", "runs", "lifted plan ÷ this", "plan CPU", "of which provider", "provider peak RSS (largest)"}}
	for _, s := range b.scale {
		for _, k := range planKinds(s) {
			pcpu, rss := "—", "—"
			if len(k.kr.planPCPU) > 0 {
				pcpu = bench.Seconds(bench.Median(k.kr.planPCPU))
			}
			if len(k.kr.planRSS) > 0 {
				rss = bench.MB(slices.Max(k.kr.planRSS))
			}
			t.Add(strconv.Itoa(s.n), k.name, bench.Seconds(medianOf(k.kr)), strconv.Itoa(len(k.kr.plan)),
				bench.Ratio(medianOf(s.profiles), medianOf(k.kr)), bench.Seconds(bench.Median(k.kr.planCPU)), pcpu, rss)
		}
	}
	p("%s\n", t.String())
	p("Each kind's apply (once per N, from an empty state, limit lifted; not a target):\n\n")
	a := bench.Table{Header: []string{"N", "kind", "apply", "apply CPU", "of which provider", "provider peak RSS"}}
	for _, s := range b.scale {
		for _, k := range planKinds(s) {
			if len(k.kr.apply) == 0 {
				continue
			}
			pcpu, rss := "—", "—"
			if len(k.kr.applyPCPU) > 0 {
				pcpu = bench.Seconds(bench.Median(k.kr.applyPCPU))
				rss = bench.MB(slices.Max(k.kr.applyRSS))
			}
			a.Add(strconv.Itoa(s.n), k.name, bench.Seconds(bench.Median(k.kr.apply)), bench.Seconds(bench.Median(k.kr.applyCPU)), pcpu, rss)
		}
	}
	p("%s\n", a.String())
}

func (b *benchRun) reportAPI(p printer) {
	p("## 2. API calls per phase (sandbox counters)\n\n")
	p("Counted by the sandbox per command (values of all runs; a single value means every run agreed). "+
		"The provider reads profiles through the paged list (`GET /connector_profiles?connector_key=…&page_size=%d`), one read per connector per provider process; never by id.\n\n", listPageSize)
	t := bench.Table{Header: []string{"N", "phase", "provider processes", "all requests", "GET /connector_profiles (list pages)", "GET /connector_profiles/{id}", "GET /actions (catalog)", "POST /connector_profiles", "other requests", "non-2xx answers"}}
	for _, s := range b.scale {
		pr := s.profiles
		if len(pr.applyStats) > 0 {
			t.Add(strconv.Itoa(s.n), "apply (lifted)", bench.Range(pr.applyProcs), totals(pr.applyStats), bench.Range(counts(pr.applyStats, routeList)),
				bench.Range(counts(pr.applyStats, routeGetProfile)), bench.Range(counts(pr.applyStats, routeCatalog)), bench.Range(counts(pr.applyStats, routeCreate)),
				otherRequests(pr.applyStats, routeList, routeGetProfile, routeCatalog, routeCreate), "")
		}
		for _, k := range []struct {
			name string
			kr   kindRuns
		}{{"plan (refresh), lifted", s.profiles}, {"plan (refresh), default limit", s.def}} {
			if len(k.kr.planStats) == 0 {
				continue
			}
			errs := make([]int, len(k.kr.planErrs))
			for i, e := range k.kr.planErrs {
				errs[i] = int(e)
			}
			t.Add(strconv.Itoa(s.n), k.name, bench.Range(k.kr.planProcs), totals(k.kr.planStats), bench.Range(counts(k.kr.planStats, routeList)),
				bench.Range(counts(k.kr.planStats, routeGetProfile)), bench.Range(counts(k.kr.planStats, routeCatalog)), bench.Range(counts(k.kr.planStats, routeCreate)),
				otherRequests(k.kr.planStats, routeList, routeGetProfile, routeCatalog, routeCreate), bench.Range(errs))
		}
	}
	p("%s\n", t.String())
}

func totals(stats []sandbox.Stats) string {
	out := make([]int, len(stats))
	for i, s := range stats {
		out[i] = s.Total
	}
	return bench.Range(out)
}

func (b *benchRun) reportLimited(p printer) {
	l := b.limited
	if l == nil {
		return
	}
	floor := time.Duration(float64(l.n) / float64(l.rpm) * float64(time.Minute))
	p("## 3. Apply at the default limit\n\n")
	p("`terraform apply` of %d profiles from an empty state; the sandbox limits the key to %d requests/min (a sliding 60-second window, 429 with Retry-After beyond it) and the provider block leaves `max_requests_per_minute` unset (the provider's default, %d/min). One run.\n\n", l.n, l.rpm, stackoneRPM)
	t := bench.Table{Header: []string{"measure", "value"}}
	t.Add("apply exit status", strconv.Itoa(l.code))
	var st []string
	for k, v := range l.statuses {
		st = append(st, fmt.Sprintf("%s: %d", k, v))
	}
	slices.Sort(st)
	t.Add("API answers by status", strings.Join(st, ", "))
	t.Add("API requests", strconv.Itoa(l.requests))
	t.Add("provider processes", strconv.Itoa(l.procs))
	t.Add("N ÷ limit", bench.Seconds(floor))
	t.Add("apply wall time", fmt.Sprintf("%s (%.2f× N ÷ limit)", bench.Seconds(l.wall), float64(l.wall)/float64(floor)))
	if l.firstPOST >= 0 {
		win := l.lastPOST - l.firstPOST
		t.Add("first to last POST", fmt.Sprintf("%s (%.2f× (N−1) ÷ limit); first POST at %s", bench.Seconds(win),
			float64(win)/(float64(l.n-1)/float64(l.rpm)*float64(time.Minute)), bench.Seconds(l.firstPOST)))
	}
	if l.unlimitedWall > 0 {
		t.Add("same apply with the limit lifted (section 1)", bench.Seconds(l.unlimitedWall))
	}
	p("%s\n", t.String())
	if l.code != 0 {
		p("Apply output (tail):\n\n```\n%s\n```\n\n", l.out)
	}
}

func (b *benchRun) reportProcess(p printer) {
	p("## 4. The provider process\n\n")
	if s := b.schema; s != nil {
		ms, mb := bench.Median(s.stackone), bench.Median(s.baseline)
		t := bench.Table{Header: []string{"command", "median wall", "provider processes", "provider peak RSS"}}
		t.Add("`terraform providers schema -json` with the stackone provider", bench.Seconds(ms), bench.Range(s.procs), bench.MB(slices.Max(s.rss)))
		t.Add("the same with only terraform_data (baseline)", bench.Seconds(mb), "0", "—")
		t.Add("difference: starting the provider and serving its schema", bench.Millis(ms-mb), "", "")
		p("Medians of %d run(s), alternated.\n\n%s\n", len(s.stackone), t.String())
	}
	r := bench.Table{Header: []string{"N", "kind", "plan: peak RSS (largest of the runs)", "plan: peak RSS (median)"}}
	for _, s := range b.scale {
		for _, k := range planKinds(s) {
			if len(k.kr.planRSS) > 0 {
				r.Add(strconv.Itoa(s.n), k.name, bench.MB(slices.Max(k.kr.planRSS)), bench.MB(medianKB(k.kr.planRSS)))
			}
		}
	}
	p("Peak RSS (VmHWM) of the provider processes, the largest process of each command:\n\n%s\n", r.String())
	if b.goBench != "" {
		p("In-process Go benchmarks (`go test -run '^$' -bench . -benchmem -benchtime %s ./internal/provider/`; no terraform, the protocol server called directly, against an in-process sandbox):\n\n```\n%s\n```\n\n", b.cfg.benchtime, b.goBench)
	}
}

func medianKB(xs []int64) int64 {
	f := make([]float64, len(xs))
	for i, x := range xs {
		f[i] = float64(x)
	}
	return int64(bench.MedianFloat(f))
}

func (b *benchRun) reportScopes(p printer) {
	if len(b.regScopes) == 0 {
		return
	}
	p("## 5. stackone_registered_scopes\n\n")
	p("`terraform plan` of one `data \"stackone_registered_scopes\"` (fail_on_unregistered = false) naming the first k ZoomInfo scopes of the catalog (%d in all). "+
		"\"All registered\": the app has every catalog scope (set with the authorization server's UpdateApp); \"half unregistered\": every other named scope (⌈k/2⌉) is taken off the app. "+
		"Requests are the authorization server's /v1/authorize count; medians of %d run(s).\n\n", len(b.scopes), b.cfg.schemaRuns)
	t := bench.Table{Header: []string{"scopes named", "unregistered", "authorize requests", "catalog GETs", "plan wall (median)"}}
	for _, s := range b.regScopes {
		t.Add(strconv.Itoa(s.k), strconv.Itoa(s.unregistered), bench.Range(s.requests), bench.Range(s.catalogGETs), bench.Seconds(bench.Median(s.walls)))
	}
	p("%s\n", t.String())
}

func (b *benchRun) reportRaw(p printer) {
	p("## Raw runs\n\n")
	t := bench.Table{Header: []string{"N", "kind", "apply (each run)", "plan (each run)"}}
	join := func(ds []time.Duration) string {
		parts := make([]string, len(ds))
		for i, d := range ds {
			parts[i] = fmt.Sprintf("%.3f", d.Seconds())
		}
		return strings.Join(parts, ", ")
	}
	for _, s := range b.scale {
		for _, k := range planKinds(s) {
			t.Add(strconv.Itoa(s.n), k.name, join(k.kr.apply), join(k.kr.plan))
		}
	}
	p("Seconds.\n\n%s", t.String())
}
