package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/stackonehq/terraform-provider-stackone/internal/bench"
)

// The query kind (issue 23): terraform query of N profiles through the list
// resource stackone_connector_profile, beside a plan with refresh of the
// same N profiles, both with a Terraform that has terraform query (1.14 and
// later). The terraform on PATH may be older, so this part runs its own CLI:
// -query-terraform, or else the one ../shared/tools/cli unpacks on the
// machines that have that folder.

// queryCLIName is the CLI ../shared/tools/cli is asked for.
const queryCLIName = "terraform-1.15.9"

type queryResult struct {
	n       int
	tf      string // terraform version line
	plan    kindRuns
	query   kindRuns
	include kindRuns // the same query with include_resource = true
	apply   run
}

// queryTerraform finds a CLI with terraform query: the flag's, else the
// shared tools' (beside the repository's parent), else the one on PATH if
// it is new enough. "" and a reason when there is none.
func (b *benchRun) queryTerraform() (path, why string) {
	if b.cfg.queryTerraform != "" {
		return b.cfg.queryTerraform, ""
	}
	tool := filepath.Join(b.root, "..", "shared", "tools", "cli")
	if _, err := os.Stat(tool); err == nil {
		out, err := exec.Command(tool, queryCLIName).Output()
		if err == nil {
			return strings.TrimSpace(string(out)), ""
		}
	}
	if onPath, err := exec.LookPath("terraform"); err == nil && terraformMinor(onPath) >= 14 {
		return onPath, ""
	}
	return "", fmt.Sprintf("no Terraform 1.14 or later: set -query-terraform, or run where %s gives %s", tool, queryCLIName)
}

// terraformMinor is the minor version of a Terraform 1.x binary, or -1.
func terraformMinor(bin string) int {
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		return -1
	}
	m := regexp.MustCompile(`(?m)^Terraform v1\.(\d+)\.`).FindStringSubmatch(string(out))
	if m == nil {
		return -1
	}
	minor, _ := strconv.Atoi(m[1])
	return minor
}

// runQuery applies -query profiles with the query CLI, then -runs times
// plans them (refresh) and queries them (without and with the resource
// objects), alternated; each query must list every profile.
func (b *benchRun) runQuery() error {
	n := b.cfg.queryN
	if n == 0 {
		return nil
	}
	tf, why := b.queryTerraform()
	if tf == "" {
		b.querySkipped = why
		logf("query: skipped: %s", why)
		return nil
	}
	r := *b.r
	r.tfBin = tf
	res := &queryResult{n: n}
	b.query = res
	if out, err := exec.Command(tf, "version").Output(); err == nil {
		res.tf = strings.SplitN(strings.TrimSpace(string(out)), "\n", 2)[0]
	}
	dir := filepath.Join(b.work, fmt.Sprintf("query-%d", n))
	if err := writeConfig(dir, profilesConfig(b.sb.BaseURL(), b.sb.APIKey(), n, b.clientID)); err != nil {
		return err
	}
	b.sb.Reset()
	b.sb.SetRateLimit(0)
	lifted := fmt.Sprintf("-var=max_requests_per_minute=%d", unlimitedRPM)
	par := "-parallelism=" + strconv.Itoa(b.cfg.parallelism)
	logf("query: applying %d profiles with %s", n, res.tf)
	apply, err := r.terraform(dir, "apply", "-auto-approve", "-input=false", par, lifted)
	if err != nil {
		return err
	}
	if apply.Code != 0 {
		return fmt.Errorf("apply of %d profiles exited %d:\n%s", n, apply.Code, tail(apply.Out, 30))
	}
	res.apply = apply
	queryFile := func(include bool) string {
		return fmt.Sprintf("list \"stackone_connector_profile\" \"all\" {\n  provider         = stackone\n  limit            = %d\n  include_resource = %t\n}\n", n, include)
	}
	for i := range b.cfg.runs {
		for _, k := range []struct {
			name           string
			kr             *kindRuns
			query, include bool
		}{{"plan", &res.plan, false, false}, {"query", &res.query, true, false}, {"query+resource", &res.include, true, true}} {
			// A plan must not read the query file: only queries have one.
			_ = os.Remove(filepath.Join(dir, "query.tfquery.hcl"))
			args := []string{"plan", "-refresh=true", "-input=false", "-detailed-exitcode", par, lifted}
			if k.query {
				if err := os.WriteFile(filepath.Join(dir, "query.tfquery.hcl"), []byte(queryFile(k.include)), 0o600); err != nil {
					return err
				}
				args = []string{"query", "-json", lifted}
			}
			before := b.sb.Stats()
			out, err := r.terraform(dir, args...)
			if err != nil {
				return err
			}
			if out.Code != 0 {
				return fmt.Errorf("%s of %d profiles exited %d:\n%s", k.name, n, out.Code, tail(out.Out, 30))
			}
			if k.query {
				if got := queryTotal(out.Out); got != n {
					return fmt.Errorf("%s listed %d profiles, want %d:\n%s", k.name, got, n, tail(out.Out, 30))
				}
			}
			k.kr.record(false, out, true)
			k.kr.planStats = append(k.kr.planStats, diffStats(b.sb.Stats(), before))
			logf("query: N=%d run %d/%d %-15s %s", n, i+1, b.cfg.runs, k.name, bench.Seconds(out.Wall))
		}
	}
	_ = os.Remove(filepath.Join(dir, "query.tfquery.hcl"))
	return nil
}

// queryTotal is the total of terraform query -json's list_complete message.
func queryTotal(out string) int {
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var line struct {
			Complete *struct {
				Total int `json:"total"`
			} `json:"list_complete"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Complete != nil {
			return line.Complete.Total
		}
	}
	return -1
}

// reportQuery writes the query section.
func (b *benchRun) reportQuery(p printer) {
	if b.cfg.queryN == 0 {
		return
	}
	p("## terraform query of %d profiles (issue 23)\n\n", b.cfg.queryN)
	if b.querySkipped != "" {
		p("Not run: %s.\n\n", b.querySkipped)
		return
	}
	q := b.query
	if q == nil {
		return
	}
	p("%s; the %d profiles applied once (%s), then per run a `terraform plan -refresh=true` of them and a `terraform query -json` of `list \"stackone_connector_profile\"` with `limit = %d`, "+
		"without and with `include_resource = true`, alternated; %d run(s), medians; `max_requests_per_minute` lifted and the sandbox not limiting. "+
		"A query must list all %d profiles.\n\n", q.tf, q.n, bench.Seconds(q.apply.Wall), q.n, b.cfg.runs, q.n)
	t := bench.Table{Header: []string{"command", "wall (median)", "list requests (`GET /connector_profiles`)", "GET by id", "other requests", "provider processes", "peak RSS (largest provider process)", "provider CPU (median)"}}
	for _, row := range []struct {
		name string
		kr   kindRuns
	}{{fmt.Sprintf("plan (refresh) of %d profiles", q.n), q.plan}, {fmt.Sprintf("query of %d profiles", q.n), q.query}, {fmt.Sprintf("query of %d profiles, include_resource = true", q.n), q.include}} {
		if len(row.kr.plan) == 0 {
			continue
		}
		t.Add(row.name, bench.Seconds(bench.Median(row.kr.plan)),
			bench.Range(counts(row.kr.planStats, "GET /connector_profiles")), bench.Range(counts(row.kr.planStats, "GET /connector_profiles/{id}")),
			otherRequests(row.kr.planStats, "GET /connector_profiles", "GET /connector_profiles/{id}"),
			bench.Range(row.kr.planProcs), bench.MB(slices.Max(row.kr.planRSS)), bench.Seconds(bench.Median(row.kr.planPCPU)))
	}
	p("%s\n", t.String())
	p("⌈%d ÷ %d⌉ = %d: a query reads the profile list as a refresh does, one read of every page, never a profile by id.\n\n", q.n, listPageSize, (q.n+listPageSize-1)/listPageSize)
}
