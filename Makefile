# The two commands: `make run` (broker + four services + demo) and `make test`.
.PHONY: run test build bootstrap broker-start broker-stop clean bench-domain

run:
	scripts/run

test:
	scripts/test

bootstrap:
	scripts/bootstrap

build: bootstrap
	swift build

broker-start:
	scripts/broker start $(or $(PORT),9092)

broker-stop:
	scripts/broker stop $(or $(PORT),9092)

clean:
	rm -rf .build var

# Domain hot paths on one core (issue 3): prints decisions/s against a baseline.
bench-domain: bootstrap
	swift build -c release --product DomainBenchmark
	.build/release/DomainBenchmark 2
