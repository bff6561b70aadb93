# The two commands a new user runs (see README): `make run` and `make test`.
MODELS ?= tinymlperf
SHARED_MODELS ?= ../shared/models
JOBS ?= $(shell nproc)

.PHONY: setup run test test-slow bench

setup:
	bash scripts/setup.sh

run: setup
	mcubench run $(MODELS) --model-path $(SHARED_MODELS) -b aot -t host -f validate -j $(JOBS) --progress

test: setup
	python3 -m pytest -q

test-slow: setup
	python3 -m pytest -q -m slow

bench: setup
	python3 bench/targets.py
