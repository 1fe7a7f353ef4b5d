# stytch-b2b-go: everything runs through the go command; tools it needs are fetched by it.
GO        ?= go
PKGS      := ./...
FUZZTIME  ?= 30s
# While a fuzz worker minimizes an input that found new coverage it runs nothing else, for up to
# this long (go test's default is a minute, which held FuzzResponseDecoding near one execution a
# second); a short bound keeps it at thousands a second. Raise it to keep smaller corpus files.
FUZZMINIMIZETIME ?= 2s
BENCHCOUNT ?= 6

.PHONY: generate drift test vet lint bench fuzz demo mutation mutation-recheck

## generate: regenerate gen/ (and the *.gen.go files of b2b/ and b2b/b2btest/, and the spec's JSON
## copy spec/stytch-b2b.gen.json) from spec/ and templates/, saying what was written, then check
## the result is current
generate:
	$(GO) run ./cmd/gen
	$(GO) run ./cmd/gen -check

## drift: fail when the generated files are stale against spec/ and templates/, when gen/ holds
## files the generator does not write, or when go.mod and go.sum are not tidy. It compares the
## files on disk, committed or not: .ci/run also checks that nothing is left uncommitted.
drift:
	$(GO) run ./cmd/gen -check
	$(GO) mod tidy -diff

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet -tags $(LINTTAGS) $(PKGS)

## lint: staticcheck and golangci-lint (.golangci.yml) at the versions pinned here, built and run by
## the go command: neither is a dependency in go.mod, so users of the module never inherit them.
## A cold build of both takes about three minutes; later runs reuse the build cache. Both see the
## files behind the regen build tag (internal/regentest) too.
STATICCHECK_VERSION   ?= v0.8.2
GOLANGCI_LINT_VERSION ?= v2.15.0
LINTTAGS ?= regen
lint:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) -tags $(LINTTAGS) $(PKGS)
	$(GO) run github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION) run --build-tags $(LINTTAGS) $(PKGS)

# A binary built with -race waits a second when it exits (ThreadSanitizer's atexit_sleep_ms), so
# that other threads can finish a report; a race is still reported, and fails its test, at once.
# Waiting 50 ms instead took 4 to 8 s (median 5) off a 75 s go test -race ./... here (3 alternated
# pairs on 2 cores): twenty-odd test binaries each held one of the two slots for that second.
GORACE ?= atexit_sleep_ms=50

## test: vet, lint, drift check, all tests with the race detector, the tests of the nested
## benchmark modules (bench/ogenpeer, bench/jwtpeer: they build against this module, so a change
## that breaks them shows here), the regeneration checks on a copy of the module
## (internal/regentest, behind the regen build tag: about a minute), and a short run of every fuzz
## target
test: vet lint drift
	GORACE='$(GORACE)' $(GO) test -race -count=1 $(PKGS)
	$(GO) -C bench/ogenpeer test -count=1 ./...
	$(GO) -C bench/jwtpeer test -count=1 ./...
	$(GO) test -tags regen -count=1 ./internal/regentest/
	@$(MAKE) --no-print-directory fuzz FUZZTIME=3s

## fuzz: run every fuzz target for FUZZTIME each (make fuzz FUZZTIME=5m)
## (the targets are found by reading the test files, which builds nothing: asking go test -list
## would build every package's tests once more, without the race detector).
## Go 1.26's fuzzing coordinator can report its own -fuzztime deadline as a failure: the run ends
## with a bare "context deadline exceeded" and writes no failing input (go.dev/issue/75804, fixed
## in Go 1.27). A run that fails exactly so is reported and passes; any other failure, and any
## failing input written, fails as before.
fuzz:
	@log=$$(mktemp); trap 'rm -f "$$log" "$$log.rc"' EXIT; \
	for dir in $$($(GO) list -f '{{.Dir}}' $(PKGS)); do \
		for t in $$(cat $$dir/*_test.go 2>/dev/null | sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p'); do \
			pkg=./$${dir#$(CURDIR)/}; echo "fuzz $$pkg $$t ($(FUZZTIME))"; \
			{ $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZETIME) $$pkg 2>&1; \
				echo $$? > "$$log.rc"; } | tee "$$log"; rc=$$(cat "$$log.rc"); \
			if [ $$rc -ne 0 ]; then \
				if [ "$$(grep -c -- '--- FAIL' "$$log")" = 1 ] && grep -qx '    context deadline exceeded' "$$log" && ! grep -q 'Failing input written' "$$log"; then \
					echo "fuzz: $$t ended on Go's fuzztime deadline race (go.dev/issue/75804), no failing input: not a finding"; \
				else exit 1; fi; \
			fi; \
		done; \
	done

## demo: run the examples against the b2btest fake (against Stytch when STYTCH_PROJECT_ID and
## STYTCH_SECRET are set; each example's doc comment lists the other variables it needs)
demo:
	$(GO) run ./examples/magiclink
	$(GO) run ./examples/oauthdiscovery
	$(GO) run ./examples/invite
	$(GO) run ./examples/protectedroute

## bench: the SDK against hand-written net/http + encoding/json code, against an ogen client, and
## its local session JWT verification against the remote check and against the official Go SDK's
## steps (golang-jwt), BENCHCOUNT alternated rounds (each round runs the SDK and its peer back to
## back, in separate processes, swapping who goes first); then the generator's timing, the b2btest
## fake's throughput and first NewServer, benchstat's tables and the median per-round ratios with
## their spread and the targets of BENCHMARKS.md; the raw results stay in the directory printed
## (BENCHFLAGS=-strict makes a missed target exit 1)
BENCHTIME ?= 1s
BENCHFLAGS ?=
BENCHSTAT ?= $(GO) -C bench/ogenpeer tool benchstat
bench:
	$(GO) run ./bench/rounds -rounds $(BENCHCOUNT) -benchtime $(BENCHTIME) -benchstat '$(BENCHSTAT)' $(BENCHFLAGS)

## bench-ogen-generate: regenerate the ogen peer (bench/ogenpeer/stytchogen) from spec/ with the
## ogen version pinned in bench/ogenpeer/go.mod, and tidy that module (also after the SDK's go.mod
## changes); OGENCONFIG=ogen-lean.yml generates the variant without OpenTelemetry
OGENCONFIG ?= ogen.yml
.PHONY: bench-ogen-generate
bench-ogen-generate:
	cd bench/ogenpeer && $(GO) tool ogen -config $(OGENCONFIG) -target stytchogen -package stytchogen -clean ../../spec/stytch-b2b.yaml
	cd bench/ogenpeer && $(GO) mod tidy && test -z "$$(gofmt -l stytchogen)"

## mutation: mutation testing of the package MUTATE with gremlins (pinned in tools/mutation, a
## module of its own: not a dependency of this one), with the operators listed there, on the files
## whose path (relative to MUTATE) matches the regexp MUTATE_FILES (empty: all). Prints per file
## the mutants killed and left alive and the score, leaving out the mutants that
## MUTATE_EQUIVALENT lists as unable to change behaviour; gremlins' JSON goes to MUTATE_OUT.
## Not part of make test: six files of ./b2b took 22 to 34 minutes on two shared cores, the 161
## mutants of cmd/gen/load.go an estimated 15 (the 67 of cmd/gen/readme.go took 5)
## (make mutation MUTATE=./b2b MUTATE_FILES='^(executor|retry)\.go$', make mutation MUTATE=./cmd/gen)
MUTATE            ?= ./b2b
MUTATE_FILES      ?=
MUTATE_WORKERS    ?= 2
MUTATE_TIMEOUT_COEFFICIENT ?= 4
MUTATE_EQUIVALENT ?= tools/mutation/equivalent.txt
MUTATE_OUT        ?= $(or $(TMPDIR),/tmp)/stytch-mutation-$(subst /,_,$(patsubst ./%,%,$(MUTATE))).json
MUTATION_TOOL      = nice -n 10 $(GO) -C tools/mutation run . -root $(CURDIR) -pkg $(MUTATE) \
	-files '$(MUTATE_FILES)' -equivalent $(MUTATE_EQUIVALENT)
mutation:
	$(MUTATION_TOOL) -workers $(MUTATE_WORKERS) -timeout-coefficient $(MUTATE_TIMEOUT_COEFFICIENT) -o $(MUTATE_OUT) run

## mutation-recheck: test again, against the tests as they are now, each mutant that the run
## saved in MUTATE_OUT left alive, and print the new scores (minutes instead of half an hour: after
## tests were only added, a mutant once killed stays killed); the updated JSON replaces MUTATE_OUT
mutation-recheck:
	$(MUTATION_TOOL) -in $(MUTATE_OUT) -o $(MUTATE_OUT) recheck
