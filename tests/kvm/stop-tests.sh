# shellcheck shell=bash
# Sourced by run-tests.sh (uses its run/expect/pass/fail/skip/wait_for and
# $minivmm, $img, $tmp): minivmm stops when asked, whatever the guest and
# the host's terminal do (docs/robustness.md).
