// Command stackone-bench measures plan (with refresh) and apply of many
// stackone_connector_profile resources against an in-process sandbox, with
// the provider's default rate limit (max_requests_per_minute unset: 1000/min,
// the sandbox enforcing StackOne's 1000/min) and with the limit lifted, beside
// the floors a plugin can reach (a do-nothing framework provider with the
// same schema and logging, the same resource on the raw protocol) and
// Terraform's built-in terraform_data; and writes a Markdown report around
// the targets of issue 12.
//
//	cd internal/bench && go run ./cmd/stackone-bench [-n 1000] [-runs 5] [-full] [-stretch 10000]
//	    [-parallelism 10] [-limited-n 1000] [-limited-rpm 1000] [-out FILE] [-smoke]
//	    [-query 1000 [-query-terraform PATH] [-only-query]]
//
// Per N, each kind is applied once from an empty state, then planned -runs
// times, kinds alternated within each run; the report gives medians. It
// builds the provider (go build -trimpath), runs the terraform on PATH
// through a dev_overrides CLI config (never ~/.terraformrc), and reports API
// calls per phase from the sandbox's counters, an apply at the default
// limit, the provider process's schema time and peak RSS, and the cost of
// stackone_registered_scopes. It reports numbers and never fails on them; it
// exits non-zero only on a real failure (an apply that fails, a plan that is
// not clean after apply).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/stackonehq/terraform-provider-stackone/internal/bench"
	"github.com/stackonehq/terraform-provider-stackone/internal/catalogcheck"
	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox"
	"github.com/stackonehq/terraform-provider-stackone/internal/sandbox/authserver"
	"github.com/stackonehq/terraform-provider-stackone/internal/stackone"
)

// unlimitedRPM is the provider's max_requests_per_minute when the limit is
// lifted: the highest value its validator accepts.
const unlimitedRPM = 100000

// stackoneRPM is StackOne's limit per API key, which the sandbox enforces in
// the default-limit plans; the provider's default is the same.
const stackoneRPM = 1000

// quietEnv turns off the SDK's and the provider's logging in a provider
// process. With no TF_LOG* variable set, terraform-plugin-go still logs every
// RPC at TRACE, as JSON on stderr, which terraform parses and then drops.
// The stackone provider sets these itself when no TF_LOG* variable is
// present (main.go); a framework provider by default does not, so the
// do-nothing framework floor runs both ways.
var quietEnv = []string{"TF_LOG_SDK=off", "TF_LOG_SDK_PROTO=off", "TF_LOG_SDK_FRAMEWORK=off", "TF_LOG_PROVIDER=off"}

// servedEnv serves benchnull as the stackone provider serves itself: SDK
// logs off and provider.ProtocolServer's release of finished requests. The
// framework floor of the default run, which differs from the provider only
// by the resource's own code.
var servedEnv = append(slices.Clone(quietEnv), "BENCHNULL_SERVE=stackone")

// rawEnv makes benchnull answer the resource RPCs on the raw protocol, with
// no framework and no SDK logging: the floor of any plugin provider.
var rawEnv = append(slices.Clone(quietEnv), "BENCHNULL_RAW=1")

type config struct {
	ns          []int
	stretch     int
	stretchRuns int
	full        bool
	runs        int
	parallelism int
	limitedN    int
	limitedRPM  int
	schemaRuns  int
	goBench     bool
	null        bool
	benchtime   string
	out         string
	smoke       bool
	keep        bool
	// queryN profiles are listed with terraform query beside a plan of
	// them (query.go), with queryTerraform (or the shared tools' CLI);
	// onlyQuery runs that part alone.
	queryN         int
	queryTerraform string
	onlyQuery      bool
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "stackone-bench:", err)
		os.Exit(2)
	}
	report, runErr := runAll(cfg)
	if report != "" {
		fmt.Print(report)
		if cfg.out != "" {
			if err := os.WriteFile(cfg.out, []byte(report), 0o644); err != nil { //nolint:gosec // a report for people
				fmt.Fprintln(os.Stderr, "stackone-bench:", err)
				os.Exit(1)
			}
			logf("report written to %s", cfg.out)
		}
	}
	if runErr != nil {
		fmt.Fprintln(os.Stderr, "stackone-bench: FAILED:", runErr)
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	fs := flag.NewFlagSet("stackone-bench", flag.ContinueOnError)
	var c config
	n := fs.String("n", "1000", "comma-separated numbers of resources (\"\" for none: only -stretch and the later sections)")
	fs.IntVar(&c.runs, "runs", 5, "plans per N and kind (kinds alternated within each run)")
	fs.BoolVar(&c.full, "full", false, "the full matrix: N = 100,500,1000 unless -n is given, every floor (the framework floor with the SDK's logging on too, and benchnull_data), and the in-process Go benchmarks")
	fs.IntVar(&c.stretch, "stretch", 0, "also plan this many profiles (issue 12's stretch, 10000) beside the raw-protocol floor (0 skips it)")
	fs.IntVar(&c.stretchRuns, "stretch-runs", 3, "plans per kind at the -stretch N")
	fs.IntVar(&c.parallelism, "parallelism", 10, "terraform -parallelism")
	fs.IntVar(&c.limitedN, "limited-n", 1000, "profiles in the apply at the provider's default limit (0 skips it)")
	fs.IntVar(&c.limitedRPM, "limited-rpm", stackoneRPM, "requests/min the sandbox enforces in that apply (StackOne allows 1000 per key)")
	fs.IntVar(&c.schemaRuns, "schema-runs", 0, "runs of the schema and registered_scopes measurements (default: -runs, at most 3)")
	fs.BoolVar(&c.goBench, "gobench", false, "also run the in-process Go benchmarks of internal/provider (on with -full)")
	fs.BoolVar(&c.null, "null-variant", true, "also run the plugin floors: benchnull_profile, a do-nothing framework provider with the same schema, logging and serving (SDK logs off and provider.ProtocolServer, as this provider runs), the same resource answered on the raw protocol with no framework (BENCHNULL_RAW=1: the floor of any plugin provider for this schema); with -full also the framework floor with the SDK's logging on (its default) and benchnull_data, terraform_data's shape on the raw protocol")
	fs.StringVar(&c.benchtime, "benchtime", "1s", "go test -benchtime for the in-process benchmarks")
	fs.StringVar(&c.out, "out", "", "also write the report to this file")
	fs.BoolVar(&c.smoke, "smoke", false, "tiny run for CI: N=10, 1 run, limited-n 50 (overrides -n, -runs, -limited-n)")
	fs.BoolVar(&c.keep, "keep", false, "keep the working directory (printed on stderr)")
	fs.IntVar(&c.queryN, "query", 0, "also list this many profiles with terraform query beside a plan of them, with a Terraform that has it (1.14 or later; 0 skips it)")
	fs.StringVar(&c.queryTerraform, "query-terraform", "", "the Terraform for -query (default: ../shared/tools/cli "+queryCLIName+" beside the repository, else the terraform on PATH if 1.14 or later)")
	fs.BoolVar(&c.onlyQuery, "only-query", false, "run only the -query part (no plans at scale, limited apply, schema or scopes measurements)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	nGiven := false
	fs.Visit(func(f *flag.Flag) { nGiven = nGiven || f.Name == "n" })
	if c.full {
		c.goBench = true
		if !nGiven {
			*n = "100,500,1000"
		}
	}
	if c.smoke {
		*n, c.runs, c.limitedN, c.schemaRuns, c.benchtime, c.full, c.goBench = "10", 1, 50, 1, "10x", true, true
		if c.stretch > 0 {
			c.stretch, c.stretchRuns = 20, 1
		}
	}
	for _, f := range strings.Split(*n, ",") {
		if strings.TrimSpace(*n) == "" {
			break // -n "": only the stretch (and the sections after the plans)
		}
		v, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || v <= 0 {
			return c, fmt.Errorf("-n: %q is not a positive number", f)
		}
		c.ns = append(c.ns, v)
	}
	if c.runs <= 0 || c.parallelism <= 0 || c.limitedN < 0 || c.limitedRPM <= 0 || c.stretch < 0 || c.stretchRuns <= 0 {
		return c, errors.New("-runs, -stretch-runs and -parallelism must be positive, -limited-n and -stretch not negative, -limited-rpm positive")
	}
	if c.schemaRuns <= 0 {
		c.schemaRuns = min(c.runs, 3)
	}
	if c.queryN < 0 || (c.onlyQuery && c.queryN == 0) {
		return c, errors.New("-query must not be negative, and -only-query needs -query N")
	}
	if c.onlyQuery {
		c.ns, c.stretch, c.limitedN, c.null, c.goBench = nil, 0, 0, false, false
	}
	return c, nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%s] "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// bench is the state of one benchmark run.
type benchRun struct {
	cfg      config
	root     string
	work     string
	r        *runner
	sb       *sandbox.Sandbox
	apiErrs  atomic.Int64 // non-2xx answers of the main sandbox's API
	clientID string
	scopes   []string // the catalog's ZoomInfo scopes, sorted

	machine   [][2]string
	buildTime time.Duration
	scale     []scaleResult
	limited   *limitedResult
	schema    *schemaResult
	regScopes []scopeResult
	goBench   string
	failures  []string

	query        *queryResult
	querySkipped string
}

func runAll(cfg config) (string, error) {
	root, benchDir, err := moduleRoots()
	if err != nil {
		return "", err
	}
	work, err := os.MkdirTemp("", "stackone-bench-*")
	if err != nil {
		return "", err
	}
	if cfg.keep {
		logf("working directory: %s", work)
	} else {
		defer os.RemoveAll(work)
	}
	b := &benchRun{cfg: cfg, root: root, work: work}
	b.machine = machineInfo(root)

	logf("building the provider (go build -trimpath)")
	b.r, b.buildTime, err = setup(root, benchDir, work, cfg.null)
	if err != nil {
		return "", err
	}
	b.sb, err = sandbox.Start(sandbox.Options{Logf: func(_ string, args ...any) {
		// "METHOD route status duration" for the API; "authz …" lines have 5 args.
		if len(args) == 4 {
			if st, ok := args[2].(string); ok && !strings.HasPrefix(st, "2") {
				b.apiErrs.Add(1)
			}
		}
	}})
	if err != nil {
		return "", err
	}
	defer b.sb.Close()
	b.clientID = b.sb.ZoomInfoApp().ClientID
	if b.scopes, err = catalogScopes(b.sb); err != nil {
		return "", err
	}

	steps := []struct {
		name string
		f    func() error
	}{
		{"warm-up", b.warmUp},
		{"scale", b.runScale},
		{"stretch", b.runStretch},
		{"limited", b.runLimited},
		{"schema", b.runSchema},
		{"registered scopes", b.runScopes},
		{"go benchmarks", b.runGoBench},
		{"query", b.runQuery},
	}
	if cfg.onlyQuery {
		steps = steps[len(steps)-1:]
	}
	var runErr error
	for _, s := range steps {
		if err := s.f(); err != nil {
			runErr = fmt.Errorf("%s: %w", s.name, err)
			b.failures = append(b.failures, runErr.Error())
			break
		}
	}
	if runErr == nil && len(b.failures) > 0 {
		runErr = errors.New(strings.Join(b.failures, "; "))
	}
	return b.report(), runErr
}

// moduleRoots are the provider's module (the repository root, which the
// bench module replaces its requirement with) and the bench module.
func moduleRoots() (root, benchDir string, err error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/stackonehq/terraform-provider-stackone/internal/bench", "github.com/stackonehq/terraform-provider-stackone").Output()
	if err != nil {
		return "", "", fmt.Errorf("go list -m (run from internal/bench): %w", err)
	}
	dirs := strings.Fields(string(out))
	if len(dirs) != 2 {
		return "", "", fmt.Errorf("go list -m: want two module directories, got %q", out)
	}
	benchDir, root = dirs[0], dirs[1]
	if _, err := os.Stat(filepath.Join(root, "main.go")); err != nil {
		return "", "", fmt.Errorf("the provider module is not beside the bench module: %w", err)
	}
	return root, benchDir, nil
}

// catalogScopes reads the ZoomInfo scopes from the sandbox's catalog, the
// way the provider does (GET /actions).
func catalogScopes(sb *sandbox.Sandbox) ([]string, error) {
	c, err := stackone.New(stackone.Config{BaseURL: sb.BaseURL(), APIKey: sb.APIKey(), UserAgent: "stackone-bench"})
	if err != nil {
		return nil, err
	}
	conns, err := c.ListConnectors(context.Background(), "zoominfo")
	if err != nil {
		return nil, err
	}
	zi, ok := catalogcheck.Find(conns, "zoominfo")
	if !ok {
		return nil, errors.New("the sandbox catalog has no zoominfo connector")
	}
	var out []string
	for _, d := range zi.ScopeDefinitions {
		out = append(out, d.Name)
	}
	slices.Sort(out)
	return out, nil
}

func machineInfo(root string) [][2]string {
	cmdOut := func(name string, args ...string) string {
		c := exec.Command(name, args...)
		c.Dir = root
		out, err := c.Output()
		if err != nil {
			return "unknown"
		}
		return strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
	}
	cpu := "unknown"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	return [][2]string{
		{"nproc", strconv.Itoa(runtime.NumCPU())},
		{"CPU", cpu},
		{"OS", runtime.GOOS + "/" + runtime.GOARCH + ", kernel " + cmdOut("uname", "-r")},
		{"terraform", cmdOut("terraform", "version")},
		{"go", cmdOut("go", "env", "GOVERSION")},
		{"date", time.Now().UTC().Format("2006-01-02 15:04 UTC")},
	}
}

// warmUp runs each kind once at N=10 (untimed) so that the first timed run
// does not pay for cold caches.
func (b *benchRun) warmUp() error {
	logf("warm-up")
	_, err := b.scaleRun(10, "warmup")
	return err
}

// --- 1 and 2: plan and apply at scale ---

type kindRuns struct {
	apply, plan         []time.Duration
	applyCPU, planCPU   []time.Duration
	applyPCPU, planPCPU []time.Duration // provider processes only
	applyProcs          []int
	planProcs           []int
	applyRSS, planRSS   []int64
	applyStats          []sandbox.Stats
	planStats           []sandbox.Stats
	planErrs            []int64 // non-2xx answers of the API during each plan
}

// record adds one apply or plan; withProvider when the kind has provider
// processes (all but terraform_data).
func (kr *kindRuns) record(isApply bool, r run, withProvider bool) {
	wall, cpu, pcpu, procs, rss := &kr.plan, &kr.planCPU, &kr.planPCPU, &kr.planProcs, &kr.planRSS
	if isApply {
		wall, cpu, pcpu, procs, rss = &kr.apply, &kr.applyCPU, &kr.applyPCPU, &kr.applyProcs, &kr.applyRSS
	}
	*wall = append(*wall, r.Wall)
	*cpu = append(*cpu, r.CPU)
	if withProvider {
		*pcpu = append(*pcpu, r.Procs.CPU)
		*procs = append(*procs, r.Procs.Processes)
		*rss = append(*rss, r.Procs.PeakRSSKB)
	}
}

type scaleResult struct {
	n        int
	stretch  bool
	profiles kindRuns // max_requests_per_minute lifted, the sandbox not limiting
	def      kindRuns // the provider's default limit, the sandbox enforcing StackOne's
	null     kindRuns // benchnull_profile: the framework floor, SDK logs on (-full)
	nullQ    kindRuns // benchnull_profile served as this provider serves itself (SDK logs off, ProtocolServer)
	raw      kindRuns // benchnull_profile on the raw protocol, no framework: the plugin floor
	rawData  kindRuns // benchnull_data (terraform_data's shape) on the raw protocol (-full)
	data     kindRuns
	apiErrs  int64
}

// kind is one thing planned: a directory of configuration, the environment
// of its provider processes and, for the profiles, the provider's limit.
type kind struct {
	name    string
	dir     string
	env     []string
	args    []string // extra terraform arguments (the lifted limit)
	limited bool     // the sandbox enforces StackOne's limit during the plan
	kr      *kindRuns
}

func (b *benchRun) runScale() error {
	for _, n := range b.cfg.ns {
		res, err := b.scaleRun(n, "")
		b.scale = append(b.scale, res)
		if err != nil {
			return err
		}
	}
	return nil
}

// runStretch plans -stretch profiles beside the raw-protocol floor.
func (b *benchRun) runStretch() error {
	if b.cfg.stretch == 0 {
		return nil
	}
	res, err := b.scaleRun(b.cfg.stretch, "stretch")
	res.stretch = true
	b.scale = append(b.scale, res)
	return err
}

// scaleRun applies each kind of n resources once from an empty state, then
// plans each kind runs times, alternated (lifted, default limit, the floors,
// terraform_data, then again). tag "warmup" plans once; "stretch" runs only
// the profiles and the raw floor, -stretch-runs times.
func (b *benchRun) scaleRun(n int, tag string) (scaleResult, error) {
	res := scaleResult{n: n}
	runs := b.cfg.runs
	switch tag {
	case "warmup":
		runs = 1
	case "stretch":
		runs = b.cfg.stretchRuns
	}
	pdir := filepath.Join(b.work, fmt.Sprintf("profiles-%d%s", n, tag))
	ddir := filepath.Join(b.work, fmt.Sprintf("data-%d%s", n, tag))
	ndir := filepath.Join(b.work, fmt.Sprintf("null-%d%s", n, tag))
	rdir := filepath.Join(b.work, fmt.Sprintf("rawnull-%d%s", n, tag))
	qdir := filepath.Join(b.work, fmt.Sprintf("quietnull-%d%s", n, tag))
	rddir := filepath.Join(b.work, fmt.Sprintf("rawdata-%d%s", n, tag))
	lifted := []string{fmt.Sprintf("-var=max_requests_per_minute=%d", unlimitedRPM)}
	kinds := []kind{
		{name: "lifted", dir: pdir, args: lifted, kr: &res.profiles},
		{name: "default", dir: pdir, limited: true, kr: &res.def},
	}
	if b.cfg.null {
		kinds = append(kinds, kind{name: "null-served", dir: qdir, env: servedEnv, kr: &res.nullQ})
		kinds = append(kinds, kind{name: "raw", dir: rdir, env: rawEnv, kr: &res.raw})
		if b.cfg.full && tag != "stretch" {
			kinds = append(kinds, kind{name: "null", dir: ndir, kr: &res.null})
			kinds = append(kinds, kind{name: "raw-data", dir: rddir, env: rawEnv, kr: &res.rawData})
		}
	}
	if tag == "stretch" {
		kinds = slices.DeleteFunc(kinds, func(k kind) bool { return k.name == "null-served" })
	} else {
		kinds = append(kinds, kind{name: "data", dir: ddir, kr: &res.data})
	}
	configs := map[string]string{
		pdir: profilesConfig(b.sb.BaseURL(), b.sb.APIKey(), n, b.clientID),
		ddir: dataConfig(n), ndir: nullConfig(n, b.clientID), qdir: nullConfig(n, b.clientID),
		rdir: nullConfig(n, b.clientID), rddir: rawDataConfig(n),
	}
	par := "-parallelism=" + strconv.Itoa(b.cfg.parallelism)
	errsBefore := b.apiErrs.Load()

	// Apply each directory once (the two profile kinds share theirs: the
	// state of the lifted apply is planned with either limit).
	b.sb.Reset()
	b.sb.SetRateLimit(0)
	for _, k := range kinds {
		if k.name == "default" {
			continue
		}
		if err := writeConfig(k.dir, configs[k.dir]); err != nil {
			return res, err
		}
		if err := freshState(k.dir); err != nil {
			return res, err
		}
		before := b.sb.Stats()
		apply, err := b.r.terraformEnv(k.dir, k.env, append([]string{"apply", "-auto-approve", "-input=false", par}, k.args...)...)
		if err != nil {
			return res, err
		}
		if apply.Code != 0 {
			return res, fmt.Errorf("apply of %d %s exited %d:\n%s", n, k.name, apply.Code, tail(apply.Out, 30))
		}
		k.kr.record(true, apply, k.name != "data")
		if k.name == "lifted" {
			k.kr.applyStats = append(k.kr.applyStats, diffStats(b.sb.Stats(), before))
		}
		if tag != "warmup" {
			logf("N=%d apply %-10s %s", n, k.name, bench.Seconds(apply.Wall))
		}
	}

	for i := range runs {
		for _, k := range kinds {
			if k.limited {
				b.sb.SetRateLimit(stackoneRPM)
			}
			before, errs := b.sb.Stats(), b.apiErrs.Load()
			plan, err := b.r.terraformEnv(k.dir, k.env, append([]string{"plan", "-refresh=true", "-input=false", "-detailed-exitcode", par}, k.args...)...)
			b.sb.SetRateLimit(0)
			if err != nil {
				return res, err
			}
			if plan.Code != 0 {
				what := "failed"
				if plan.Code == 2 {
					what = "is not empty after apply"
				}
				return res, fmt.Errorf("plan of %d %s %s (exit %d):\n%s", n, k.name, what, plan.Code, tail(plan.Out, 30))
			}
			k.kr.record(false, plan, k.name != "data")
			if k.name == "lifted" || k.name == "default" {
				k.kr.planStats = append(k.kr.planStats, diffStats(b.sb.Stats(), before))
				k.kr.planErrs = append(k.kr.planErrs, b.apiErrs.Load()-errs)
			}
			if tag != "warmup" {
				logf("N=%d run %d/%d plan %-10s %s", n, i+1, runs, k.name, bench.Seconds(plan.Wall))
			}
		}
	}
	res.apiErrs = b.apiErrs.Load() - errsBefore
	return res, nil
}

func diffStats(after, before sandbox.Stats) sandbox.Stats {
	d := sandbox.Stats{Total: after.Total - before.Total, Requests: map[string]int{}}
	for k, v := range after.Requests {
		if v-before.Requests[k] != 0 {
			d.Requests[k] = v - before.Requests[k]
		}
	}
	return d
}

// --- 3: apply with the sandbox limiting the key ---

type limitedResult struct {
	n, rpm        int
	wall          time.Duration
	code          int
	out           string
	statuses      map[string]int
	requests      int
	first, last   time.Duration // of API requests, from the start of the command
	firstPOST     time.Duration
	lastPOST      time.Duration
	procs         int
	unlimitedWall time.Duration // unlimited apply of the same N, when measured
}

func (b *benchRun) runLimited() error {
	if b.cfg.limitedN == 0 {
		return nil
	}
	n, rpm := b.cfg.limitedN, b.cfg.limitedRPM
	logf("rate-limited apply: %d profiles, %d requests/min", n, rpm)
	var (
		mu       sync.Mutex
		start    time.Time
		statuses = map[string]int{}
		res      = &limitedResult{n: n, rpm: rpm, first: -1, firstPOST: -1}
	)
	sb, err := sandbox.Start(sandbox.Options{RateLimit: rpm, Logf: func(_ string, args ...any) {
		if len(args) != 4 {
			return
		}
		at := time.Now()
		mu.Lock()
		defer mu.Unlock()
		if start.IsZero() {
			return
		}
		st, _ := args[2].(string)
		statuses[st]++
		res.requests++
		since := at.Sub(start)
		if res.first < 0 {
			res.first = since
		}
		res.last = since
		if args[0] == "POST" {
			if res.firstPOST < 0 {
				res.firstPOST = since
			}
			res.lastPOST = since
		}
	}})
	if err != nil {
		return err
	}
	defer sb.Close()
	dir := filepath.Join(b.work, "limited")
	if err := writeConfig(dir, profilesConfig(sb.BaseURL(), sb.APIKey(), n, sb.ZoomInfoApp().ClientID)); err != nil {
		return err
	}
	mu.Lock()
	start = time.Now()
	mu.Unlock()
	apply, err := b.r.terraform(dir, "apply", "-auto-approve", "-input=false", "-parallelism="+strconv.Itoa(b.cfg.parallelism))
	if err != nil {
		return err
	}
	mu.Lock()
	res.wall, res.code, res.out, res.statuses, res.procs = apply.Wall, apply.Code, tail(apply.Out, 30), statuses, apply.Procs.Processes
	start = time.Time{}
	mu.Unlock()
	for _, s := range b.scale {
		if s.n == n {
			res.unlimitedWall = bench.Median(s.profiles.apply)
		}
	}
	b.limited = res
	logf("rate-limited apply: exit %d in %s", apply.Code, bench.Seconds(apply.Wall))
	if apply.Code != 0 {
		b.failures = append(b.failures, fmt.Sprintf("rate-limited apply exited %d", apply.Code))
	}
	return nil
}

// --- 4: the provider process ---

type schemaResult struct {
	stackone, baseline []time.Duration
	procs              []int
	rss                []int64
}

func (b *benchRun) runSchema() error {
	logf("schema")
	sdir := filepath.Join(b.work, "schema-stackone")
	bdir := filepath.Join(b.work, "schema-baseline")
	if err := writeConfig(sdir, providerBlock(b.sb.BaseURL(), b.sb.APIKey())); err != nil {
		return err
	}
	if err := writeConfig(bdir, dataConfig(1)); err != nil {
		return err
	}
	res := &schemaResult{}
	for range b.cfg.schemaRuns {
		s, err := b.r.terraform(sdir, "providers", "schema", "-json")
		if err != nil {
			return err
		}
		base, err := b.r.terraform(bdir, "providers", "schema", "-json")
		if err != nil {
			return err
		}
		if s.Code != 0 || base.Code != 0 {
			return fmt.Errorf("terraform providers schema exited %d / %d:\n%s", s.Code, base.Code, tail(s.Out+base.Out, 20))
		}
		if !strings.Contains(s.Out, `"stackone_connector_profile"`) {
			return fmt.Errorf("terraform providers schema -json did not list stackone_connector_profile:\n%s", tail(s.Out, 10))
		}
		res.stackone = append(res.stackone, s.Wall)
		res.baseline = append(res.baseline, base.Wall)
		res.procs = append(res.procs, s.Procs.Processes)
		res.rss = append(res.rss, s.Procs.PeakRSSKB)
	}
	b.schema = res
	return nil
}

// --- 5: stackone_registered_scopes ---

type scopeResult struct {
	k            int
	unregistered int
	requests     []int
	catalogGETs  []int
	walls        []time.Duration
}

func (b *benchRun) runScopes() error {
	logf("registered scopes")
	auth := b.sb.AuthServer()
	original := b.sb.ZoomInfoApp().Scopes
	defer auth.UpdateApp(b.clientID, func(a *authserver.App) { a.Scopes = original })
	cases := []int{0, 1, 10, 17}
	if b.cfg.smoke {
		cases = []int{1, 10}
	}
	for _, k := range cases {
		if k > len(b.scopes) {
			return fmt.Errorf("the catalog has %d ZoomInfo scopes, fewer than %d", len(b.scopes), k)
		}
		chosen := b.scopes[:k]
		for _, half := range []bool{false, true} {
			if half && k == 0 {
				continue
			}
			// Half unregistered: every other chosen scope (rounded up) is
			// taken off the app; all registered: the app has every scope.
			var unreg []string
			if half {
				for i := 0; i < k; i += 2 {
					unreg = append(unreg, chosen[i])
				}
			}
			appScopes := slices.DeleteFunc(slices.Clone(b.scopes), func(s string) bool { return slices.Contains(unreg, s) })
			auth.UpdateApp(b.clientID, func(a *authserver.App) { a.Scopes = appScopes })
			dir := filepath.Join(b.work, fmt.Sprintf("scopes-%d-%v", k, half))
			if err := writeConfig(dir, scopesConfig(b.sb.BaseURL(), b.sb.APIKey(), auth.GatewayAuthorizeEndpoint(), b.clientID, chosen)); err != nil {
				return err
			}
			sr := scopeResult{k: k, unregistered: len(unreg)}
			for range b.cfg.schemaRuns {
				auth.ResetCounters()
				before := b.sb.Stats()
				p, err := b.r.terraform(dir, "plan", "-input=false")
				if err != nil {
					return err
				}
				if p.Code != 0 {
					return fmt.Errorf("plan with stackone_registered_scopes (%d scopes, %d unregistered) exited %d:\n%s", k, len(unreg), p.Code, tail(p.Out, 20))
				}
				sr.requests = append(sr.requests, auth.AuthorizeRequests())
				sr.catalogGETs = append(sr.catalogGETs, diffStats(b.sb.Stats(), before).Requests["GET /actions"])
				sr.walls = append(sr.walls, p.Wall)
			}
			b.regScopes = append(b.regScopes, sr)
		}
	}
	return nil
}

// --- in-process Go benchmarks ---

func (b *benchRun) runGoBench() error {
	if !b.cfg.goBench {
		return nil
	}
	logf("in-process Go benchmarks (go test -bench, benchtime %s)", b.cfg.benchtime)
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", ".", "-benchmem", "-benchtime", b.cfg.benchtime, "-count", "1", "./internal/provider/")
	cmd.Dir = b.root
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("go test -bench: %v\n%s", err, tail(string(out), 30))
	}
	var keep []string
	for line := range strings.SplitSeq(string(out), "\n") {
		if strings.HasPrefix(line, "Benchmark") || strings.HasPrefix(line, "cpu:") {
			keep = append(keep, strings.TrimSpace(line))
		}
	}
	b.goBench = strings.Join(keep, "\n")
	return nil
}
