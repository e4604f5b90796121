# OAIMS: the two commands a new user needs are `make run` and `make test`.
SHELL := /bin/bash
CONFIG ?= Release
DOTNET ?= dotnet
# Debian's Python (python3-grpcio, python3-nibabel, ...): the first python3 on PATH may be another one.
PYTHON ?= /usr/bin/python3
OAIMS := src/Oaims.Cli/bin/$(CONFIG)/net10.0/oaims
SERVER ?= http://127.0.0.1:50051
DATA ?= ../shared/data

.PHONY: build run demo test test-dotnet test-python experiments experiments-resume bench soak install clean

build:
	$(DOTNET) build OAIMS.sln -c $(CONFIG) --nologo -v quiet

## The main job: the sidecar on 127.0.0.1:50051 with the shipped models.
run: build
	$(OAIMS) serve --models models --address 127.0.0.1:50051

## A client against a running `make run`: uploads a phantom, plays 10 clicks, commits.
demo: build
	$(OAIMS) demo --server $(SERVER)

## Every C# and Python test.
test: build test-dotnet test-python

test-dotnet:
	$(DOTNET) test OAIMS.sln -c $(CONFIG) --no-build --nologo

test-python:
	@if [ -d slicer-plugin/tests ]; then \
	  OAIMS_CLI=$(abspath $(OAIMS)) $(PYTHON) -m pytest -q slicer-plugin/tests; \
	else echo "no Python tests yet"; fi
	OAIMS_CLI=$(abspath $(OAIMS)) $(PYTHON) -m pytest -q tests/deploy

## Long runs: regenerate docs/results.md and the plots (about seven hours on 2 cores, more than one sitting).
## `make experiments-resume` goes on where a stopped run left off: it skips the sections docs/results holds from the
## same code version (src and build as committed) and the same weights of the models they used, and finishes an unfinished tuning or variants section after its
## last saved strategy or row.
experiments: build
	$(OAIMS) experiments --data $(DATA) --out docs

experiments-resume: build
	$(OAIMS) experiments --data $(DATA) --out docs --resume

## Timings, written to docs/benchmarks.md from one run (about 10 minutes on 2 cores): click time in-process; time to first
## mask and to done over gRPC against in-process; bytes per click; TorchSharp vs python3-torch; uploads vs raw TCP; server memory; pre-labelling
## throughput against bare forward passes.
bench: build
	$(OAIMS) bench --model brain-flair --out docs/benchmarks.md
	$(OAIMS) demo --benchmark docs/benchmarks.md --model brain-flair --clicks 10 --rounds 5
	out=$$(mktemp -d) && $(OAIMS) prelabel --model brain-flair --in $(DATA)/brats2013/pat0004/t1c.nii.gz $(DATA)/brats2013/pat0004/flair.nii.gz \
	  --out $$out --bench docs/benchmarks.md; rm -rf $$out

## Reliability: malformed requests, kill -9 during writes, concurrent annotators, memory; written to docs/reliability.md.
soak: build
	$(OAIMS) soak --models models --model brain-flair --out docs/reliability.md

## Puts `oaims` on PATH (PREFIX=/usr/local by default).
PREFIX ?= /usr/local
install: build
	ln -sf $(abspath $(OAIMS)) $(PREFIX)/bin/oaims

clean:
	$(DOTNET) clean OAIMS.sln -c $(CONFIG) --nologo -v quiet
