#!/usr/bin/env bash
# Build hygiene, checked on the real artefacts: the shipped binary is
# hardened and carries no testing options, the static build is a static
# PIE, `make install` honours DESTDIR and PREFIX, VERSION is an input, and
# CPPFLAGS/LDFLAGS reach the compiler and linker. Prints "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
passed=0
failed=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/minivmm-build-check.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
check() {
	local name=$1
	shift
	if "$@" >"$tmp/log" 2>&1; then
		echo "PASS $name"
		passed=$((passed + 1))
	else
		echo "FAIL $name"
		sed 's/^/  | /' "$tmp/log" | head -20
		failed=$((failed + 1))
	fi
}

make -s minivmm build/minivmm-static >/dev/null || { echo "0 passed, 1 failed"; exit 1; }

pie() { readelf -h "$1" | grep -q 'Type:.*DYN'; }
relro() { readelf -lW "$1" | grep -q GNU_RELRO && readelf -dW "$1" | grep -q 'BIND_NOW\|FLAGS.*NOW'; }
stack_protector() { readelf -sW "$1" | grep -q '__stack_chk_fail'; }
fortified() { readelf -sW "$1" | grep -q '__[a-z]*printf_chk\|__memcpy_chk\|__read_chk'; }
no_interp() { ! readelf -lW "$1" | grep -q 'program interpreter'; }
no_test_options() {
	./minivmm --kernel x --test-device y 2>&1 | grep -q "unknown option '--test-device'" &&
		! readelf -sW minivmm | grep -q 'test_backend\|test_device'
}
check release-is-pie pie minivmm
check release-full-relro relro minivmm
check release-stack-protector stack_protector minivmm
check release-fortify-source fortified minivmm
check release-has-no-testing-options no_test_options
check static-is-static-pie sh -c 'readelf -h build/minivmm-static | grep -q "Type:.*DYN" && ! readelf -lW build/minivmm-static | grep -q "program interpreter"'
check static-full-relro relro build/minivmm-static

install_to() {
	make -s install DESTDIR="$tmp/root" PREFIX=/opt/mv >/dev/null &&
		"$tmp/root/opt/mv/bin/minivmm" --version | grep -q "^minivmm $(cat VERSION)$"
}
check install-honours-destdir-and-prefix install_to
# -W FILE: "what if FILE changed": make must rebuild what depends on it.
check version-is-a-dependency sh -c 'make -n -W VERSION minivmm | grep -q "vmm/main.o"'
check cppflags-honoured sh -c 'make -n -W lib/error.c minivmm CPPFLAGS=-DMARK_CPPFLAGS | grep -q MARK_CPPFLAGS'
check ldflags-honoured sh -c 'make -n -W vmm/main.c minivmm LDFLAGS=-Wl,--mark-ldflags | grep -q -- --mark-ldflags'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
