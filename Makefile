# The two commands: `make run` (broker + four services + demo) and `make test`.
.PHONY: run test build bootstrap broker-start broker-stop clean bench-domain bench bench-system fuzz test-containers

run:
	scripts/run

test:
	scripts/test

bootstrap:
	scripts/bootstrap

# The four runtime images built with podman (from a Debian base made with debootstrap) and run against the local
# broker: readiness, non-root user, the demo, SIGTERM, state across a restart. As root.
test-containers: bootstrap
	scripts/test-containers

build: bootstrap
	swift build

broker-start:
	scripts/broker start $(or $(PORT),9092)

broker-stop:
	scripts/broker stop $(or $(PORT),9092)

clean:
	rm -rf .build .build-fuzz var

# The event decoder under libFuzzer for a bounded time (SECONDS, default 60).
fuzz: bootstrap
	scripts/fuzz $(or $(SECONDS),60)

# Domain hot paths on one core (issue 3): prints decisions/s against a baseline.
bench-domain: bootstrap
	swift build -c release --product DomainBenchmark
	.build/release/DomainBenchmark 2

# The pipeline benchmark: the event codec against Foundation's; raw passthrough vs routing-service
# (60,000 calls, 186,000 events: with fewer, librdkafka's fetch ramp-up is much of the raw relay's time), latency, RSS.
# Release builds of the service and the tool (about 5 minutes the first time on 2 cores).
bench: bootstrap
	swift build -c release --product routing-service
	swift build -c release --product cc-bench
	swift build -c release --product CodecBenchmark
	.build/release/CodecBenchmark 1
	.build/release/cc-bench --calls 60000 --rate 1000 --seconds 10 --write-doc var/benchmarks-latest.md

# The same with all four services (release builds of each: the first build takes about 10 minutes).
bench-system: bootstrap
	for p in routing-service settings-service status-service report-service cc-bench; do \
		swift build -c release --product $$p || exit 1; done
	.build/release/cc-bench --calls 20000 --rate 1000 --seconds 10 --system --write-doc var/benchmarks-system-latest.md
