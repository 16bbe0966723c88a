# The two commands: `make run` (broker + four services + demo) and `make test`.
.PHONY: run test build bootstrap broker-start broker-stop clean

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
