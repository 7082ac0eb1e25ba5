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
	routeCreate     = "POST /connector_profiles"
	routeCatalog    = "GET /actions"
)

// commandLine is how to reproduce this report.
func commandLine() string {
	parts := []string{"go run ./internal/bench/cmd/stackone-bench"}
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
	p("Settings: %d run(s) per N and kind, alternated (profiles, terraform_data[, the floors], profiles, …); `-parallelism=%d` for every kind; "+
		"every apply starts from an empty state (and an emptied sandbox), the plan after it is `terraform plan -refresh=true -detailed-exitcode` and must be empty. "+
		"The provider block sets `max_requests_per_minute = %d` (the highest its validator accepts) so the client-side limiter "+
		"(one request per %.1f ms) does not dominate; section 3 runs with the limit on. "+
		"Provider processes are counted through a wrapper that logs each start; their peak RSS (VmHWM) and CPU time are polled from /proc every 10 ms.\n\n",
		cfg.runs, cfg.parallelism, unlimitedRPM, float64(time.Minute)/float64(unlimitedRPM)/float64(time.Millisecond))

	b.reportTargets(p)
	b.reportScale(p)
	b.reportAPI(p)
	b.reportLimited(p)
	b.reportProcess(p)
	b.reportScopes(p)
	b.reportRaw(p)
	return w.String()
}

type printer func(format string, args ...any)

func (b *benchRun) largest() *scaleResult {
	var best *scaleResult
	for i := range b.scale {
		if len(b.scale[i].profiles.plan) > 0 && (best == nil || b.scale[i].n > best.n) {
			best = &b.scale[i]
		}
	}
	return best
}

// perProfile is count/n for each run, formatted as a range of exact values.
func perProfile(stats []sandbox.Stats, route string, n int) string {
	var vals []string
	for _, s := range stats {
		v := fmt.Sprintf("%.3g", float64(s.Requests[route])/float64(n))
		if !slices.Contains(vals, v) {
			vals = append(vals, v)
		}
	}
	return strings.Join(vals, ", ")
}

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

func (b *benchRun) reportTargets(p printer) {
	t := bench.Table{Header: []string{"target (issue 7)", "measured", "status"}}
	if s := b.largest(); s != nil {
		ratio := float64(bench.Median(s.profiles.plan)) / float64(bench.Median(s.data.plan))
		t.Add(fmt.Sprintf("plan ratio to terraform_data ≤ 1.3 at N = %d", s.n), fmt.Sprintf("%.2f× (%s vs %s)", ratio,
			bench.Seconds(bench.Median(s.profiles.plan)), bench.Seconds(bench.Median(s.data.plan))), yesNo(ratio <= 1.3))
		if len(s.raw.plan) > 0 {
			q := float64(bench.Median(s.raw.plan)) / float64(bench.Median(s.data.plan))
			t.Add("… what any plugin provider costs for this schema (benchnull_profile on the raw protocol, doing nothing)", fmt.Sprintf("%.2f× (%s)", q,
				bench.Seconds(bench.Median(s.raw.plan))), "a floor, not a target: see BENCHMARKS.md")
		}
		rss := slices.Max(s.profiles.planRSS)
		t.Add(fmt.Sprintf("provider peak RSS ≤ 60 MB (plan of %d)", s.n), bench.MB(rss)+" (largest of the runs)", yesNo(rss > 0 && rss <= 60*1024))
		getsOK, postsOK, rawOK, catOK := true, true, true, true
		for _, s := range b.scale {
			for i := range s.profiles.planStats {
				getsOK = getsOK && s.profiles.planStats[i].Requests[routeGetProfile] == s.n
				postsOK = postsOK && s.profiles.applyStats[i].Requests[routeCreate] == s.n
				rawOK = rawOK && s.profiles.applyStats[i].Requests[routeGetProfile] == 0
				catOK = catOK && s.profiles.applyStats[i].Requests[routeCatalog] <= s.profiles.applyProcs[i] &&
					s.profiles.planStats[i].Requests[routeCatalog] <= s.profiles.planProcs[i]
			}
		}
		t.Add("exactly one GET per profile per refresh", "see section 2", yesNo(getsOK))
		t.Add("one POST per create", "see section 2", yesNo(postsOK))
		t.Add("no read-after-write GET", "see section 2", yesNo(rawOK))
		t.Add("at most one catalog fetch per provider process, whatever N", "see section 2", yesNo(catOK))
	}
	if l := b.limited; l != nil {
		floor := time.Duration(float64(l.n) / float64(l.rpm) * float64(time.Minute))
		ratio := float64(l.wall) / float64(floor)
		failed := l.code != 0
		t.Add(fmt.Sprintf("rate-limited apply of %d: no failed request reaches Terraform", l.n), fmt.Sprintf("apply exit status %d", l.code), yesNo(!failed))
		t.Add("rate-limited apply within 1.15× of N ÷ limit", fmt.Sprintf("%s vs %s = %.2f×", bench.Seconds(l.wall), bench.Seconds(floor), ratio), yesNo(ratio <= 1.15))
	}
	p("## Targets\n\n%s\n", t.String())
}

func (b *benchRun) reportScale(p printer) {
	p("## 1. Apply and plan at scale, beside terraform_data\n\n")
	p("Wall time of `terraform apply -auto-approve` (create N from an empty state) and of `terraform plan -refresh=true` right after it; medians of %d run(s).\n\n", b.cfg.runs)
	t := bench.Table{Header: []string{"N", "apply: profiles", "apply: terraform_data", "apply ratio", "plan: profiles", "plan: terraform_data", "plan ratio", "plan: extra per profile"}}
	for _, s := range b.scale {
		if len(s.profiles.plan) == 0 || len(s.data.plan) == 0 {
			continue
		}
		pa, da, pp, dp := bench.Median(s.profiles.apply), bench.Median(s.data.apply), bench.Median(s.profiles.plan), bench.Median(s.data.plan)
		t.Add(strconv.Itoa(s.n), bench.Seconds(pa), bench.Seconds(da), bench.Ratio(pa, da), bench.Seconds(pp), bench.Seconds(dp), bench.Ratio(pp, dp),
			bench.Millis((pp-dp)/time.Duration(s.n)))
	}
	p("%s\n", t.String())
	nt := bench.Table{Header: []string{"N", "floor", "apply", "apply ratio", "plan", "plan ratio", "stackone_connector_profile plan ÷ this plan"}}
	for _, s := range b.scale {
		for _, v := range []struct {
			name string
			kr   kindRuns
		}{
			{"benchnull_profile: framework, does nothing, SDK logs on (the framework's default)", s.null},
			{"benchnull_profile: framework, does nothing, SDK logs off", s.nullQ},
			{"benchnull_profile: raw protocol, no framework", s.raw},
			{"benchnull_data: terraform_data's shape, raw protocol", s.rawData},
		} {
			if len(v.kr.plan) == 0 || len(s.data.plan) == 0 {
				continue
			}
			na, np := bench.Median(v.kr.apply), bench.Median(v.kr.plan)
			nt.Add(strconv.Itoa(s.n), v.name, bench.Seconds(na), bench.Ratio(na, bench.Median(s.data.apply)), bench.Seconds(np), bench.Ratio(np, bench.Median(s.data.plan)),
				bench.Ratio(bench.Median(s.profiles.plan), np))
		}
	}
	if len(nt.Rows) > 0 {
		p("Plugin floors (internal/bench/cmd/benchnull-provider): `benchnull_profile` has the attributes, defaults, plan modifiers, write-only secret and timeouts block of "+
			"stackone_connector_profile and does nothing — served by terraform-plugin-framework, or (BENCHNULL_RAW=1) answered on the raw protocol with the least a correct plan needs, "+
			"the floor of any plugin provider for this schema; `benchnull_data` is terraform_data's shape (an id and an input) on the raw protocol, the floor of any plugin resource. "+
			"Alternated with the runs above; ratios to the same terraform_data medians.\n\n%s\n", nt.String())
	}
	p("CPU time (user+system, medians): terraform with its provider processes, and the provider processes alone (polled, a lower bound).\n\n")
	c := bench.Table{Header: []string{"N", "kind", "apply CPU", "of which provider", "plan CPU", "of which provider"}}
	for _, s := range b.scale {
		if len(s.profiles.plan) == 0 || len(s.data.plan) == 0 {
			continue
		}
		for _, k := range []struct {
			name string
			kr   kindRuns
		}{{"profiles", s.profiles}, {"benchnull_profile", s.null}, {"benchnull_profile, SDK logs off", s.nullQ}, {"benchnull_profile, raw protocol", s.raw}, {"benchnull_data (terraform_data's shape), raw protocol", s.rawData}, {"terraform_data", s.data}} {
			if len(k.kr.plan) == 0 {
				continue
			}
			pa, pp := "—", "—"
			if len(k.kr.applyPCPU) > 0 {
				pa, pp = bench.Seconds(bench.Median(k.kr.applyPCPU)), bench.Seconds(bench.Median(k.kr.planPCPU))
			}
			c.Add(strconv.Itoa(s.n), k.name, bench.Seconds(bench.Median(k.kr.applyCPU)), pa, bench.Seconds(bench.Median(k.kr.planCPU)), pp)
		}
	}
	p("%s\n", c.String())
}

func (b *benchRun) reportAPI(p printer) {
	p("## 2. API calls per phase (sandbox counters)\n\n")
	p("Counted by the sandbox per run (values of all runs; a single value means every run agreed). In the apply, every `GET /connector_profiles/{id}` is a read after write: the state was empty, so there is nothing to refresh.\n\n")
	t := bench.Table{Header: []string{"N", "phase", "provider processes", "GET /actions (catalog)", "POST /connector_profiles per profile", "GET /connector_profiles/{id} per profile", "other requests", "non-2xx answers (all phases)"}}
	for _, s := range b.scale {
		b.apiRows(&t, s.n, "", s.profiles, strconv.FormatInt(s.apiErrs, 10))
	}
	p("%s\n", t.String())
}

func (b *benchRun) apiRows(t *bench.Table, n int, suffix string, pr kindRuns, errs string) {
	if len(pr.planStats) == 0 {
		return
	}
	t.Add(strconv.Itoa(n), "apply"+suffix, bench.Range(pr.applyProcs), bench.Range(counts(pr.applyStats, routeCatalog)),
		perProfile(pr.applyStats, routeCreate, n), perProfile(pr.applyStats, routeGetProfile, n),
		otherRequests(pr.applyStats, routeCatalog, routeCreate, routeGetProfile), errs)
	t.Add(strconv.Itoa(n), "plan (refresh)"+suffix, bench.Range(pr.planProcs), bench.Range(counts(pr.planStats, routeCatalog)),
		perProfile(pr.planStats, routeCreate, n), perProfile(pr.planStats, routeGetProfile, n),
		otherRequests(pr.planStats, routeCatalog, routeCreate, routeGetProfile), "")
}

func (b *benchRun) reportLimited(p printer) {
	l := b.limited
	if l == nil {
		return
	}
	p("## 3. Apply with the sandbox limiting the key\n\n")
	floor := time.Duration(float64(l.n) / float64(l.rpm) * float64(time.Minute))
	p("%d profiles; the sandbox limits the key to %d requests/min (a token bucket holding one minute's budget) and the provider's `max_requests_per_minute` is the same %d. One run.\n\n", l.n, l.rpm, l.rpm)
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
		t.Add("same apply without the limit (section 1 median)", bench.Seconds(l.unlimitedWall))
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
	r := bench.Table{Header: []string{"N", "phase", "peak RSS (largest of the runs)", "peak RSS (median)"}}
	for _, s := range b.scale {
		pr := s.profiles
		if len(pr.planRSS) == 0 {
			continue
		}
		r.Add(strconv.Itoa(s.n), "apply", bench.MB(slices.Max(pr.applyRSS)), bench.MB(medianKB(pr.applyRSS)))
		r.Add(strconv.Itoa(s.n), "plan", bench.MB(slices.Max(pr.planRSS)), bench.MB(medianKB(pr.planRSS)))
		for _, v := range []struct {
			name string
			kr   kindRuns
		}{{" — benchnull_profile", s.null}, {" — benchnull_profile, SDK logs off", s.nullQ}, {" — benchnull_profile, raw protocol", s.raw}} {
			if len(v.kr.planRSS) > 0 {
				r.Add(strconv.Itoa(s.n), "apply"+v.name, bench.MB(slices.Max(v.kr.applyRSS)), bench.MB(medianKB(v.kr.applyRSS)))
				r.Add(strconv.Itoa(s.n), "plan"+v.name, bench.MB(slices.Max(v.kr.planRSS)), bench.MB(medianKB(v.kr.planRSS)))
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
		t.Add(strconv.Itoa(s.n), "stackone_connector_profile", join(s.profiles.apply), join(s.profiles.plan))
		if len(s.null.plan) > 0 {
			t.Add(strconv.Itoa(s.n), "benchnull_profile", join(s.null.apply), join(s.null.plan))
		}
		if len(s.nullQ.plan) > 0 {
			t.Add(strconv.Itoa(s.n), "benchnull_profile, SDK logs off", join(s.nullQ.apply), join(s.nullQ.plan))
		}
		if len(s.raw.plan) > 0 {
			t.Add(strconv.Itoa(s.n), "benchnull_profile, raw protocol", join(s.raw.apply), join(s.raw.plan))
		}
		if len(s.rawData.plan) > 0 {
			t.Add(strconv.Itoa(s.n), "benchnull_data (terraform_data's shape), raw protocol", join(s.rawData.apply), join(s.rawData.plan))
		}
		t.Add(strconv.Itoa(s.n), "terraform_data", join(s.data.apply), join(s.data.plan))
	}
	p("Seconds.\n\n%s", t.String())
}
